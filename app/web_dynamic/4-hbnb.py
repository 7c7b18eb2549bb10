"""Task 5: the Search button filters the places by the checked amenities."""
from flask import Flask

from web_dynamic.pages import serve_page

app = Flask(__name__)
serve_page(app, "4-hbnb.html", "/4-hbnb")

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
