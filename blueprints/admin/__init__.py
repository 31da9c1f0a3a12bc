from blueprints.admin import jobs, sso, views  # noqa: F401  (their routes)
from blueprints.admin.blueprint import bp

__all__ = ["bp"]
