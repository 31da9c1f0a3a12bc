from blueprints.auth import sso, views  # noqa: F401  (their routes)
from blueprints.auth.blueprint import bp

__all__ = ["bp"]
