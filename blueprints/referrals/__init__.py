from blueprints.referrals import privacy, views  # noqa: F401  (their routes)

# isort: split
from blueprints.referrals import matching  # noqa: F401  (their routes)
from blueprints.referrals.blueprint import bp

__all__ = ["bp"]
