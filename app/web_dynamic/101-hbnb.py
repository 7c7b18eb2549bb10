"""Task 7: each place shows its reviews on demand."""
from flask import Flask

from web_dynamic.pages import serve_page

app = Flask(__name__)
serve_page(app, "101-hbnb.html", "/101-hbnb")

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
