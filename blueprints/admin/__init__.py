from blueprints.admin import jobs, offboarding, sso, views  # noqa: F401  (their routes)
from blueprints.admin.blueprint import bp

__all__ = ["bp"]
