"""The `social_economy` blueprint itself: its view modules register their routes on it."""

from flask import Blueprint

bp = Blueprint("social_economy", __name__, url_prefix="/<slug>/team")
