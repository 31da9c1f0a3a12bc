"""The JSON API for partners' own systems: token sign-in, one error shape, the resources, and
the OpenAPI document and its page (last: it describes the routes registered before it)."""

from blueprints.api import auth, catalogue, errors, notifications, referrals  # noqa: F401

# isort: split
from blueprints.api import docs  # noqa: F401  (after the routes it documents)
from blueprints.api.blueprint import bp

__all__ = ["bp"]
