from blueprints.dev import views  # noqa: F401  (their routes)
from blueprints.dev.blueprint import bp

__all__ = ["bp"]
