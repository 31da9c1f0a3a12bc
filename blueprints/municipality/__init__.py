from flask import Blueprint

bp = Blueprint("municipality", __name__, url_prefix="/<slug>/municipality")

from blueprints.municipality import views  # noqa: E402,F401
