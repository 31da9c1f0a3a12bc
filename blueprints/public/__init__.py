from blueprints.public import views  # noqa: F401  (their routes)
from blueprints.public.blueprint import bp

__all__ = ["bp"]
