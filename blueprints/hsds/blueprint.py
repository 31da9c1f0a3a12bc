"""The `hsds` blueprint itself: its view modules register their routes on it."""

from flask import Blueprint

bp = Blueprint("hsds", __name__, url_prefix="/<slug>/hsds")
