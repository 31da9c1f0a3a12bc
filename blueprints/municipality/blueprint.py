"""The `municipality` blueprint itself: its view modules register their routes on it."""

from flask import Blueprint

bp = Blueprint("municipality", __name__, url_prefix="/<slug>/municipality")
