"""The `admin` blueprint itself: its view modules register their routes on it."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
