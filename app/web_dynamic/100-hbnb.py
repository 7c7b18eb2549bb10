"""Task 6: states and cities can be checked and filter the search too."""
from flask import Flask

from web_dynamic.pages import serve_page

app = Flask(__name__)
serve_page(app, "100-hbnb.html", "/100-hbnb")

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
