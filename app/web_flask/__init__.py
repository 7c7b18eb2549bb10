"""The Flask pages of AirBnB_clone_v2 (project 0x04 "Web framework").

Each ``<n>-<name>.py`` module is one task of the project and exposes
``app``, so ``python3 -m web_flask.<n>-<name>`` and
``gunicorn web_flask.<n>-<name>:app`` both work from the directory that holds
this package.
"""
