from flask import Blueprint

bp = Blueprint("hsds", __name__, url_prefix="/<slug>/hsds")

from blueprints.hsds import views  # noqa: E402,F401
