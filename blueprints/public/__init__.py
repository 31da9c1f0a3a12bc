from blueprints.public import flyer, views  # noqa: F401  (their routes)
from blueprints.public.blueprint import bp

__all__ = ["bp"]
