"""The `partner` blueprint itself: its view modules register their routes on it."""

from flask import Blueprint

bp = Blueprint("partner", __name__, url_prefix="/<slug>/partner")
