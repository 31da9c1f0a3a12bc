from blueprints.catalogue import imports, places, sessions, views  # noqa: F401  (their routes)
from blueprints.catalogue.blueprint import bp

__all__ = ["bp"]
