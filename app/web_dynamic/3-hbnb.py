"""Task 4: the places come from the API (POST /api/v1/places_search/)."""
from flask import Flask

from web_dynamic.pages import serve_page

app = Flask(__name__)
serve_page(app, "3-hbnb.html", "/3-hbnb")

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
