"""The `billing` blueprint itself: its view modules register their routes on it."""

from flask import Blueprint

bp = Blueprint("billing", __name__)
