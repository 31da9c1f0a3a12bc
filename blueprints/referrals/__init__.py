from flask import Blueprint

bp = Blueprint("referrals", __name__, url_prefix="/<slug>/referrals")

from blueprints.referrals import privacy, views  # noqa: E402,F401

# isort: split
from blueprints.referrals import matching  # noqa: E402,F401
