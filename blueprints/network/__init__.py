from flask import Blueprint

bp = Blueprint("network", __name__, url_prefix="/<slug>")

from blueprints.network import views  # noqa: E402,F401
