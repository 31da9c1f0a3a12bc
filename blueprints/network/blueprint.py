"""The `network` blueprint itself: its view modules register their routes on it."""

from flask import Blueprint

bp = Blueprint("network", __name__, url_prefix="/<slug>")
