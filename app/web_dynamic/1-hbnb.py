"""Task 2: amenity checkboxes; the checked names show under "Amenities"."""
from flask import Flask

from web_dynamic.pages import serve_page

app = Flask(__name__)
serve_page(app, "1-hbnb.html", "/1-hbnb")

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
