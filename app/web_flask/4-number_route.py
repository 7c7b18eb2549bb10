"""Task 4: adds "/number/<n>" -> "<n> is a number", for integers only."""
from flask import Flask

from web_flask.text_routes import register_routes

app = Flask(__name__)
register_routes(app, task=4)

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
