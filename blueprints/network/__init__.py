from blueprints.network import exports, sso, views  # noqa: F401  (their routes)
from blueprints.network.blueprint import bp

__all__ = ["bp"]
