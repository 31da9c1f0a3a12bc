from blueprints.hsds import views  # noqa: F401  (their routes)
from blueprints.hsds.blueprint import bp

__all__ = ["bp"]
