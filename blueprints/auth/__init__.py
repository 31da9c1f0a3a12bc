from blueprints.auth import keys, my_factors, second_factor, sso, views  # noqa: F401  (their routes)
from blueprints.auth.blueprint import bp
from blueprints.auth.guard import require_second_factor

__all__ = ["bp", "require_second_factor"]
