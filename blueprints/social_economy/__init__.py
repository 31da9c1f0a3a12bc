from blueprints.social_economy import rosters, schools, views, workforce  # noqa: F401  (routes)
from blueprints.social_economy.blueprint import bp

__all__ = ["bp"]
