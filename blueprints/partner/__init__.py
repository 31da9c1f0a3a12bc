from flask import Blueprint

bp = Blueprint("partner", __name__, url_prefix="/<slug>/partner")

from blueprints.partner import views  # noqa: E402,F401
