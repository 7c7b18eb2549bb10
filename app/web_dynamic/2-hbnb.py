"""Task 3: the API status circle in the header.

The 0x1A stack serves this page at "/", so the app answers there too:
Nginx may proxy "/" as is or rewritten to /2-hbnb.
"""
from flask import Flask

from web_dynamic.pages import serve_page

app = Flask(__name__)
serve_page(app, "2-hbnb.html", "/2-hbnb", "/")

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
