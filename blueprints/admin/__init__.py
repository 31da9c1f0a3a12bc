from blueprints.admin import jobs, offboarding, views  # noqa: F401  (their routes)
from blueprints.admin.blueprint import bp

__all__ = ["bp"]
