from blueprints.site import security, views  # noqa: F401  (their routes)
from blueprints.site.blueprint import bp

__all__ = ["bp"]
