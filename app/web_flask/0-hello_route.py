"""Task 0: "Hello HBNB!".

The 0x1A stack serves it at /airbnb-onepage/ (Nginx passes the path through
unchanged), so it answers there as well as on "/".  ``strict_slashes=False``
lets /airbnb-onepage answer directly: a redirect issued behind the proxy
would point at the upstream address.
"""
from flask import Flask

from web_flask.text_routes import hello, register_routes

app = Flask(__name__)
register_routes(app, task=0)
app.add_url_rule("/airbnb-onepage/", view_func=hello, strict_slashes=False)

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
