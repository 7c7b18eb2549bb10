"""The one view every web_dynamic module serves: its page, from storage."""
import uuid

from flask import render_template

from web_flask.catalog import Catalog, use_storage


def serve_page(app, template, *rules):
    """Render ``template`` at each URL rule of ``rules``."""
    use_storage(app)

    def page():
        """The page, rendered from storage on every request."""
        # A new id on every response: appended to the asset URLs, it makes
        # browsers fetch scripts and stylesheets again after a deploy.
        return render_template(template, catalog=Catalog(),
                               cache_id=uuid.uuid4())

    for rule in rules:
        app.add_url_rule(rule, view_func=page, strict_slashes=False)
