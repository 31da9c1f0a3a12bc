"""The `api` blueprint itself: its view modules register their routes on it."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
