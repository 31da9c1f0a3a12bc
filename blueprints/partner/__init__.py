from blueprints.partner import views  # noqa: F401  (their routes)
from blueprints.partner.blueprint import bp

__all__ = ["bp"]
