"""Every model module, imported once so the metadata (and Alembic) knows all tables."""

from saas.accounts import models as accounts  # noqa: F401
from saas.api import models as api  # noqa: F401
from saas.audit import models as audit  # noqa: F401
from saas.billing import models as billing  # noqa: F401
from saas.catalogue import models as catalogue  # noqa: F401
from saas.notifications import models as notifications  # noqa: F401
from saas.partners import models as partners  # noqa: F401
from saas.portability import models as portability  # noqa: F401
from saas.referrals import models as referrals  # noqa: F401
from saas.sso import models as sso  # noqa: F401
from saas.workforce import models as workforce  # noqa: F401
from tenants import lookups  # noqa: F401
from tenants import models as tenants  # noqa: F401
