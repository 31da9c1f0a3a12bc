"""The `catalogue` blueprint itself: its view modules register their routes on it."""

from flask import Blueprint

bp = Blueprint("catalogue", __name__, url_prefix="/<slug>/catalogue")
