"""The matching job: a referral's question against its network's offers, results to Redis.

Handed to RQ on the `matching` queue by the relay (workers.relays) once the referral page's
request has committed, as `match_referral_job(network_id, referral_id)`: ids only. It sets its own
network, reads, and overwrites the referral's result key, so running it twice is running it once.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from saas.extensions import db
from saas.matching import services
from saas.referrals.models import Referral
from tenants.context import network_scope
from workers.decorators import job
from workers.queues import MATCHING

log = logging.getLogger(__name__)


@job(MATCHING, timeout=120, retries=1)
def match_referral_job(network_id: int, referral_id: int) -> int:
    """The number of suggestions stored; -1 when the referral is gone or has no family data."""
    with network_scope(network_id):
        try:
            referral = db.session.execute(
                select(Referral).where(Referral.id == referral_id)
            ).scalar_one_or_none()
            if referral is None or referral.anonymised_at is not None or not referral.is_open:
                services.forget(network_id, referral_id)
                return -1
            suggestions = services.match_referral(referral)
        except Exception:  # any failure: the page stops waiting; re-raised, so RQ retries
            services.mark_failed(network_id, referral_id)
            raise
        finally:
            db.session.rollback()  # read only
        services.store(network_id, referral_id, suggestions)
    log.info("matching: referral %s of network %s: %d", referral_id, network_id, len(suggestions))
    return len(suggestions)
