from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/<slug>")

from blueprints.public import views  # noqa: E402,F401
