"""Task 1: "/" answers "Hello HBNB!", "/hbnb" answers "HBNB"."""
from flask import Flask

from web_flask.text_routes import register_routes

app = Flask(__name__)
register_routes(app, task=1)

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
