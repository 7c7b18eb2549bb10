"""The dynamic HBnB pages of AirBnB_clone_v4 (project 0x06 "Web dynamic").

Each ``<n>-hbnb.py`` module is one task and exposes ``app``; the 0x1A stack
serves ``web_dynamic.2-hbnb:app`` at "/".  The page markup is web_flask's
(templates/hbnb_page.html, styles and images are links to web_flask's), as
the original modules are copies of web_flask/100-hbnb.py; what is new here
is the page scripts in static/scripts/.
"""
