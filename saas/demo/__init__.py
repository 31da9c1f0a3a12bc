"""Demo data: Beringen and Sint-Truiden as the publication describes them (idempotent).

The seed itself is in saas.demo.networks; each feature adds its own part in its own module.
"""

from saas.demo.networks import PASSWORD, PEOPLE, seed

__all__ = ["PASSWORD", "PEOPLE", "seed"]
