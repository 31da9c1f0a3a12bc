"""The `dev` blueprint itself: its view modules register their routes on it."""

from flask import Blueprint

bp = Blueprint("dev", __name__, url_prefix="/dev")
