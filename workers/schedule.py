"""The periodic jobs, declared once; `flask scheduler` registers them with RQ's cron scheduler."""

from __future__ import annotations

from workers.billing_jobs import purge_signups
from workers.export_jobs import delete_closed_networks, expire_exports
from workers.jobs import (
    extend_sessions,
    purge_expired,
    purge_referrals,
    referral_deadlines,
    send_digests,
)
from workers.relays import sweep

PERIODIC = [
    # (job, interval in seconds)
    (sweep, 60),  # e-mail, Stripe events and roster solves that Redis could not take
    (purge_expired, 6 * 3600),
    (extend_sessions, 24 * 3600),
    (referral_deadlines, 3600),
    (purge_referrals, 24 * 3600),
    (send_digests, 24 * 3600),
    (purge_signups, 24 * 3600),
    (expire_exports, 24 * 3600),
    (delete_closed_networks, 24 * 3600),
]
