from flask import Blueprint

bp = Blueprint("catalogue", __name__, url_prefix="/<slug>/catalogue")

from blueprints.catalogue import imports, places, views  # noqa: E402,F401
