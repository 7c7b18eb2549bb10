"""Task 3: adds "/python/<text>" -> "Python <text>", "is cool" by default."""
from flask import Flask

from web_flask.text_routes import register_routes

app = Flask(__name__)
register_routes(app, task=3)

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
