from flask import Blueprint

bp = Blueprint("social_economy", __name__, url_prefix="/<slug>/team")

from blueprints.social_economy import rosters, views, workforce  # noqa: E402,F401
