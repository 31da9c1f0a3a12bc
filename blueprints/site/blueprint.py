"""The `site` blueprint itself: its view modules register their routes on it."""

from flask import Blueprint

bp = Blueprint("site", __name__)
