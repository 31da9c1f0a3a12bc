"""Second factors: who must have them, a person's factors and recovery codes, and the steward's
reset (issue #21.1).

THE RULE lives in one function, `needs_second_factor(user)`: the platform admin always (unless
TWO_FACTOR_FOR_ADMIN is off, which only a laptop's demo may do), and anyone holding a role that
can open referrals or roster reasons (`SENSITIVE_ROLES`) in a network whose steward asked for
two factors (`Network.settings["require_two_factors"]`).

WHAT COUNTS AS PASSED is one key of the signed session, `factor_verified_by`: "totp",
"webauthn" or "recovery" when Dorp's second step passed, "provider" when an OpenID Connect
provider's `amr` claim showed it did MFA. `accounts.start_session` clears it, so whoever signs a
person in sets it AFTER starting the session. `session_passed()` reads it.

WHEN THE RULE IS ASKED AGAIN (`blueprints.auth.guard`): a session that passed no factor keeps
its last answer for a while, together with the *rule generation* it was given under. Every
committed change that can bind someone to the rule or give them a factor (a steward turning the
rule on, a network opened again, a new or changed role, a new factor, a new platform admin)
moves the generation on (a Redis counter, after the commit), so every open session asks again at
its next request; a generation lost with Redis also reads as a change.

Services here flush, never commit; events go to the security log without a code or a secret.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app, session
from redis.exceptions import RedisError
from sqlalchemy import delete, func, inspect, select, update

from saas.accounts import notices, totp
from saas.accounts.models import LoginSession, RecoveryCode, SecondFactor, User
from saas.after_commit import after_commit
from saas.audit import security
from saas.audit.security import Kind
from saas.extensions import cache, db
from saas.models_base import utcnow
from tenants.context import all_networks
from tenants.models import Membership, Network, Role

# Roles that can open a referral (a family's data) or a worker's reasons on a roster card.
SENSITIVE_ROLES = (Role.PARTNER_ADMIN, Role.PARTNER_MEMBER, Role.SE_COORDINATOR, Role.SE_WORKER)
REQUIRE_SETTING = "require_two_factors"
SESSION_KEY = "factor_verified_by"
PASSED_BY = ("totp", "webauthn", "recovery", "provider")
RULE_CHECKED_KEY = "factor_rule_checked"  # when a session without a factor last met the rule
RULE_GENERATION_KEY = "factor_rule_generation"  # the generation it met it under
GENERATION = "two-factor-rule-generation"  # the cache's counter
log = logging.getLogger(__name__)

TOTP = "totp"
WEBAUTHN = "webauthn"
RECOVERY_CODES = 10


class FactorError(ValueError):
    """A code or key that does not prove the factor; the message is for the person."""


def network_requires(network: Network) -> bool:
    return bool((network.settings or {}).get(REQUIRE_SETTING))


def needs_second_factor(user: User) -> bool:
    """Whether `user` may only use Dorp after a second factor: THE rule (see the module)."""
    if user.is_platform_admin and current_app.config["TWO_FACTOR_FOR_ADMIN"]:
        return True
    with all_networks():  # an account is platform-wide: any network's rule binds it
        rows = db.session.execute(
            select(Network.settings)
            .join(Membership, Membership.network_id == Network.id)
            .where(
                Membership.user_id == user.id,
                Membership.role.in_(SENSITIVE_ROLES),
                Network.is_active.is_(True),
            )
        ).scalars()
        return any((settings or {}).get(REQUIRE_SETTING) for settings in rows)


def session_passed() -> bool:
    return session.get(SESSION_KEY) in PASSED_BY


def mark_passed(how: str) -> None:
    assert how in PASSED_BY
    session[SESSION_KEY] = how


def forget_passed() -> None:
    session.pop(SESSION_KEY, None)
    session.pop(RULE_CHECKED_KEY, None)
    session.pop(RULE_GENERATION_KEY, None)


# --- when open sessions ask the rule again ---------------------------------------------------


def rule_generation() -> int | None:
    """The rule's generation now; None when the cache cannot say (then only time tells)."""
    try:
        found = cache.get(GENERATION)
    except RedisError as error:
        log.warning("two-factor rule generation unavailable (%s)", type(error).__name__)
        return None
    return found if isinstance(found, int) else 0


def _changed(obj, *names: str) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _tightening(db_session) -> Iterable[bool]:
    """What a flush wrote that can bind a person to the rule or give them a factor to use."""
    for obj in db_session.new:
        if isinstance(obj, (Membership, SecondFactor)):
            yield True
    for obj in db_session.dirty:
        if (
            (isinstance(obj, Network) and _changed(obj, "settings", "is_active"))
            or (isinstance(obj, Membership) and _changed(obj, "role", "network_id"))
            or (isinstance(obj, User) and _changed(obj, "is_platform_admin"))
        ):
            yield True


def _next_generation(_noted: list[bool]) -> None:
    try:
        cache.cache.inc(GENERATION)  # INCR: starts a missing counter at 1, never expires it
    except RedisError as error:  # the guard's time limit still catches open sessions
        log.warning("two-factor rule generation not moved on (%s)", type(error).__name__)


def install() -> None:
    """Move the rule's generation on once a transaction that can tighten it has committed."""
    after_commit("dorp_two_factor_rule", _tightening, _next_generation)


# --- a person's factors ----------------------------------------------------------------------


def factors_of(user_id: int) -> list[SecondFactor]:
    return list(
        db.session.execute(
            select(SecondFactor)
            .where(SecondFactor.user_id == user_id)
            .order_by(SecondFactor.created_at, SecondFactor.id)
        ).scalars()
    )


def has_factors(user_id: int) -> bool:
    return (
        db.session.execute(
            select(SecondFactor.id).where(SecondFactor.user_id == user_id).limit(1)
        ).first()
        is not None
    )


def own_factor(user_id: int, factor_id: int) -> SecondFactor | None:
    return db.session.execute(
        select(SecondFactor).where(SecondFactor.id == factor_id, SecondFactor.user_id == user_id)
    ).scalar_one_or_none()


def add_totp(user: User, *, secret: str, code: str, label: str) -> SecondFactor:
    """Keep an authenticator app once the person typed a code it shows (proof the app has the
    secret); the code's step counts as used."""
    step = totp.matching_step(secret, code)
    if step is None:
        security.record(Kind.FACTOR_FAILED, user=user, factor=TOTP, stage="enrol")
        raise FactorError("wrong_code")
    factor = SecondFactor(
        user_id=user.id,
        kind=TOTP,
        label=label.strip()[:100],
        totp_secret=totp.seal(secret),
        totp_last_step=step,
        last_used_at=utcnow(),
    )
    db.session.add(factor)
    db.session.flush()
    security.record(Kind.FACTOR_ADDED, user=user, factor=TOTP, factor_id=factor.id)
    notices.factor_added(user, kind=TOTP, label=factor.label)
    return factor


def remove(user: User, factor: SecondFactor) -> None:
    """Remove one factor; with the last one go the recovery codes (they belong to the factors)."""
    kind, factor_id = factor.kind, factor.id
    db.session.delete(factor)
    db.session.flush()
    if not has_factors(user.id):
        db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    security.record(Kind.FACTOR_REMOVED, user=user, factor=kind, factor_id=factor_id)


def verify_totp(user: User, code: str) -> SecondFactor:
    """The authenticator app whose code this is; a code already used (its step or an earlier
    one) is refused, so a code seen over a shoulder cannot be replayed."""
    apps = [f for f in factors_of(user.id) if f.kind == TOTP]
    for factor in apps:
        secret = totp.unseal(factor.totp_secret)
        step = totp.matching_step(secret, code) if secret else None
        if step is None:
            continue
        if factor.totp_last_step is not None and step <= factor.totp_last_step:
            security.record(Kind.FACTOR_FAILED, user=user, factor=TOTP, reason="reused")
            raise FactorError("reused_code")
        # Only one request can move the step on: a concurrent replay finds no row to update.
        moved = db.session.execute(
            update(SecondFactor)
            .where(
                SecondFactor.id == factor.id,
                (SecondFactor.totp_last_step.is_(None)) | (SecondFactor.totp_last_step < step),
            )
            .values(totp_last_step=step, last_used_at=utcnow())
            .execution_options(synchronize_session="fetch")
        ).rowcount
        if not moved:
            security.record(Kind.FACTOR_FAILED, user=user, factor=TOTP, reason="reused")
            raise FactorError("reused_code")
        security.record(Kind.FACTOR_USED, user=user, factor=TOTP, factor_id=factor.id)
        return factor
    security.record(Kind.FACTOR_FAILED, user=user, factor=TOTP, reason="wrong")
    raise FactorError("wrong_code")


# --- recovery codes --------------------------------------------------------------------------


def _code_hash(user_id: int, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    plain = normalise_recovery_code(code)
    return hmac.new(key, f"recovery:{user_id}:{plain}".encode(), hashlib.sha256).hexdigest()


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def looks_like_recovery_code(code: str) -> bool:
    return len(normalise_recovery_code(code)) == 10


def new_recovery_codes(user: User) -> list[str]:
    """Ten new codes (the old ones stop working), shown once: only their keyed hashes stay."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(alphabet) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_code_hash(user.id, c)) for c in codes
    )
    db.session.flush()
    security.record(Kind.RECOVERY_CODES_MADE, user=user, count=len(codes))
    return codes


def recovery_codes_left(user_id: int) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    ).scalar_one()


def use_recovery_code(user: User, code: str) -> None:
    """Spend one recovery code: each works once."""
    spent = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _code_hash(user.id, code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not spent:
        security.record(Kind.FACTOR_FAILED, user=user, factor="recovery", reason="wrong")
        raise FactorError("wrong_recovery_code")
    security.record(
        Kind.FACTOR_USED, user=user, factor="recovery", left=recovery_codes_left(user.id)
    )


# --- a steward's reset -----------------------------------------------------------------------


@dataclass
class Summary:
    apps: int
    keys: int
    codes_left: int

    @property
    def any(self) -> bool:
        return bool(self.apps or self.keys)


def summary(user_id: int) -> Summary:
    kinds = [f.kind for f in factors_of(user_id)]
    return Summary(kinds.count(TOTP), kinds.count(WEBAUTHN), recovery_codes_left(user_id))


def reset_by_steward(person: User, *, steward: User, network: Network) -> int:
    """Remove every second factor and recovery code of `person` (who lost their phone or key):
    at their next sign-in they set up a new one. Their sessions end. Audited; the caller
    e-mails the person."""
    removed = db.session.execute(
        delete(SecondFactor).where(SecondFactor.user_id == person.id)
    ).rowcount
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == person.id))
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == person.id))
    security.record(
        Kind.FACTORS_RESET,
        user=person,
        by_user_id=steward.id,
        network_id=network.id,
        factors=removed,
    )
    return removed
