from blueprints.municipality import views  # noqa: F401  (their routes)
from blueprints.municipality.blueprint import bp

__all__ = ["bp"]
