"""Task 1 "Cash only": the HBnB page with a cache id on every asset URL."""
from flask import Flask

from web_dynamic.pages import serve_page

app = Flask(__name__)
serve_page(app, "0-hbnb.html", "/0-hbnb/")

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
