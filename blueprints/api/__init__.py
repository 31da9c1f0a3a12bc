from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from blueprints.api import auth, catalogue, errors, notifications, referrals  # noqa: E402,F401

# isort: split
from blueprints.api import docs  # noqa: E402,F401
