"""Task 6: adds "/number_odd_or_even/<n>", "Number: <n> is odd|even".

The 0x1A stack runs it with Gunicorn on port 5001 behind
/airbnb-dynamic/number_odd_or_even/<n>.
"""
from flask import Flask

from web_flask.text_routes import register_routes

app = Flask(__name__)
register_routes(app, task=6)

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
