from blueprints.social_economy import rosters, views, workforce  # noqa: F401  (their routes)
from blueprints.social_economy.blueprint import bp

__all__ = ["bp"]
