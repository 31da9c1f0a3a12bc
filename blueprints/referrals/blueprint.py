"""The `referrals` blueprint itself: its view modules register their routes on it."""

from flask import Blueprint

bp = Blueprint("referrals", __name__, url_prefix="/<slug>/referrals")
