"""Issue #19.2: every action that cannot be undone (or that tells other people) asks once more.

For each of them: the button's post (or a GET of its URL) shows a page that says what will be
lost and changes nothing; confirming on that page acts; a confirmation whose object changed in
between is refused with a clear message and changes nothing, as is a damaged one; another
network's object is not found on either step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from saas.api.models import ApiToken
from saas.catalogue.models import ActivitySession, Closure, Location, OfferPartner, SessionStatus
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Partner, PartnerState
from saas.referrals.models import Referral, ReferralMessage, Status
from saas.workforce.models import StaffingNeed
from tenants.context import network_scope
from tenants.models import Membership, Role
from tests import catalogue_factories as cf
from tests import factories as f
from tests.confirm_support import confirmed, token_on
from tests.world import NetworkCast, build_world


@pytest.fixture
def world(app):
    return build_world(app)


def in_network(app, cast: NetworkCast, work):
    with app.app_context(), network_scope(cast.network.id):
        result = work()
        db.session.commit()
        return result


def _value(model, ident: int, column):
    return lambda: db.session.execute(select(column).where(model.id == ident)).scalar()


def _set(model, ident: int, **values):
    return lambda: db.session.execute(update(model).where(model.id == ident).values(**values))


def _add_message(referral_id: int, partner_id: int):
    def work():
        db.session.add(
            ReferralMessage(referral_id=referral_id, author_partner_id=partner_id, body="Nog iets")
        )

    return work


@dataclass
class Case:
    """One irreversible action of the world's Beringen, as its person meets it."""

    actor: Callable[[NetworkCast], f.Ref]
    url: Callable[[NetworkCast], str]  # the action's URL for a network's cast
    data: Callable[[NetworkCast], dict]
    state: Callable[[NetworkCast], Callable]  # what the action changes, read in the network
    stale: Callable[[NetworkCast], Callable]  # a change by someone else in between
    says: str  # a sentence of what will be lost, on the confirmation page (English)
    undo: str = "This cannot be undone."  # or how to undo it, when it can be


def _free_place(app, cast):
    return cf.place(app, cast.network, name="Lege zaal").id


def _coming_session(app, cast):
    """The world's first session, set a week from now (the world's dates are fixed)."""
    soon = utcnow().replace(microsecond=0) + timedelta(days=7)
    in_network(
        app,
        cast,
        _set(
            ActivitySession,
            cast.session_id,
            starts_at=soon,
            ends_at=soon + timedelta(hours=1),
        ),
    )
    return cast.session_id


def _member_of_b(app, cast):
    person = f.user(
        app,
        f"lid-b@{cast.network.slug}.example",
        (cast.network, Role.PARTNER_MEMBER, cast.partner_b),
        name="Lid B",
    )
    return in_network(
        app,
        cast,
        lambda: db.session.execute(
            select(Membership.id).where(Membership.user_id == person.id)
        ).scalar_one(),
    )


def _need(app, cast):
    in_network(app, cast, lambda: db.session.add(StaffingNeed(offer_id=cast.offer_id, workers=1)))
    return cast.offer_id


CASES = {
    "withdraw consent": Case(
        actor=lambda c: c.people[Role.PARTNER_ADMIN],
        url=lambda c: f"/{c.network.slug}/referrals/{c.referral_id}/withdraw",
        data=lambda c: {},
        state=lambda c: _value(Referral, c.referral_id, Referral.family_label),
        stale=lambda c: _add_message(c.referral_id, c.partner_b.id),
        says="label, how to reach it, the children",
    ),
    "erase the family's data": Case(
        actor=lambda c: c.people[Role.STEWARD],
        url=lambda c: f"/{c.network.slug}/referrals/privacy/erase",
        data=lambda c: {"referral_id": [str(c.referral_id)]},
        state=lambda c: _value(Referral, c.referral_id, Referral.family_label),
        stale=lambda c: _add_message(c.referral_id, c.partner_b.id),
        says="label, how to reach it, the children",
    ),
    "cancel a referral": Case(
        actor=lambda c: c.people[Role.PARTNER_ADMIN],
        url=lambda c: f"/{c.network.slug}/referrals/{c.referral_id}/move",
        data=lambda c: {"action": "cancel"},
        state=lambda c: _value(Referral, c.referral_id, Referral.status),
        stale=lambda c: _set(Referral, c.referral_id, urgent=True),
        says="Neither partner can work on the referral any more",
    ),
    "suspend a partner": Case(
        actor=lambda c: c.people[Role.STEWARD],
        url=lambda c: f"/{c.network.slug}/network/partners/{c.partner_b.id}/suspend",
        data=lambda c: {},
        state=lambda c: _value(Partner, c.partner_b.id, Partner.state),
        stale=lambda c: _set(Partner, c.partner_b.id, phone="011 00 00 00"),
        says="Its activities are no longer shown to families.",
        undo="You can reactivate",
    ),
    "cancel a session": Case(
        actor=lambda c: c.colleague_b,
        url=lambda c: f"/{c.network.slug}/catalogue/sessions/{c.session_id}/cancel",
        data=lambda c: {"action": "cancel", "reason": "Ziekte"},
        state=lambda c: _value(ActivitySession, c.session_id, ActivitySession.status),
        stale=lambda c: _set(ActivitySession, c.session_id, moved=True),
        says="get an e-mail now",
        undo="restore it on the session",
    ),
    "remove a place": Case(
        actor=lambda c: c.people[Role.STEWARD],
        url=lambda c: f"/{c.network.slug}/catalogue/places/{c.free_place}/delete",
        data=lambda c: {},
        state=lambda c: _value(Location, c.free_place, Location.id),
        stale=lambda c: _set(Location, c.free_place, address="Andere straat 1"),
        says="list of places (no activity or session uses it)",
    ),
    "remove a closing period": Case(
        actor=lambda c: c.people[Role.STEWARD],
        url=lambda c: f"/{c.network.slug}/catalogue/closures/{c.closure_id}/delete",
        data=lambda c: {},
        state=lambda c: _value(Closure, c.closure_id, Closure.id),
        stale=lambda c: _set(Closure, c.closure_id, label="Studiedag"),
        says="come back in the schedule",
        undo="You can add the period again",
    ),
    "remove a co-organiser": Case(
        actor=lambda c: c.colleague_b,
        url=lambda c: (
            f"/{c.network.slug}/catalogue/offers/{c.offer_id}/organisers/{c.link_id}/remove"
        ),
        data=lambda c: {},
        state=lambda c: _value(OfferPartner, c.link_id, OfferPartner.id),
        stale=lambda c: _set(OfferPartner, c.link_id, role="organiser"),
        says="is no longer host of this activity",
        undo="You can add",
    ),
    "remove a staff role": Case(
        actor=lambda c: c.people[Role.STEWARD],
        url=lambda c: f"/{c.network.slug}/network/people/{c.membership_network}/remove",
        data=lambda c: {},
        state=lambda c: _value(Membership, c.membership_network, Membership.id),
        stale=lambda c: _set(Membership, c.membership_network, role=Role.SE_COORDINATOR),
        says="can no longer work here",
        undo="To undo it, invite",
    ),
    "remove a colleague": Case(
        actor=lambda c: c.colleague_b,
        url=lambda c: f"/{c.network.slug}/partner/colleagues/{c.member_b}/remove",
        data=lambda c: {},
        state=lambda c: _value(Membership, c.member_b, Membership.id),
        stale=lambda c: _set(Membership, c.member_b, role=Role.PARTNER_ADMIN),
        says="can no longer work here",
        undo="To undo it, invite",
    ),
    "revoke an API token": Case(
        actor=lambda c: c.colleague_b,
        url=lambda c: f"/{c.network.slug}/partner/api-tokens/{c.token_id}/revoke",
        data=lambda c: {},
        state=lambda c: _value(ApiToken, c.token_id, ApiToken.revoked_at),
        stale=lambda c: _set(ApiToken, c.token_id, name="Hernoemd"),
        says="is refused from now on, for good",
    ),
    "remove a staffing need": Case(
        actor=lambda c: c.people[Role.SE_COORDINATOR],
        url=lambda c: f"/{c.network.slug}/team/demand/{c.need_offer}/remove",
        data=lambda c: {},
        state=lambda c: (
            lambda: db.session.execute(
                select(StaffingNeed.id).where(StaffingNeed.offer_id == c.need_offer)
            ).scalar()
        ),
        stale=lambda c: (
            lambda: db.session.execute(
                update(StaffingNeed).where(StaffingNeed.offer_id == c.need_offer).values(workers=2)
            )
        ),
        says="new rosters no longer plan anyone for it",
        undo="You can set its need again",
    ),
}


def _prepare(app, cast: NetworkCast) -> NetworkCast:
    cast.free_place = _free_place(app, cast)
    cast.member_b = _member_of_b(app, cast)
    cast.need_offer = _need(app, cast)
    _coming_session(app, cast)
    return cast


@pytest.fixture
def beringen(app, world):
    _prepare(app, world[1])  # Sint-Truiden gets the same objects (other ids)
    return _prepare(app, world[0]), world[1]


def _client(app, who: f.Ref):
    client = app.test_client()
    f.login(client, who)
    return client


def _read(app, cast, case: Case):
    return in_network(app, cast, case.state(cast))


@pytest.mark.parametrize("name", CASES)
def test_the_button_shows_what_will_be_lost_and_changes_nothing(app, beringen, name):
    cast, _other = beringen
    case = CASES[name]
    client = _client(app, case.actor(cast))
    before = _read(app, cast, case)
    first = client.post(case.url(cast) + "?lang=en", data=case.data(cast))
    body = first.get_data(as_text=True)
    assert first.status_code == 200, body
    assert case.says in body and "confirm_token" in body
    assert case.undo in body
    assert _read(app, cast, case) == before
    # a forged or damaged confirmation does not act either
    forged = client.post(case.url(cast), data={**case.data(cast), "confirm_token": "x.y.z"})
    assert forged.status_code == 400
    assert _read(app, cast, case) == before


@pytest.mark.parametrize("name", CASES)
def test_confirming_on_the_second_step_acts(app, beringen, name):
    cast, _other = beringen
    case = CASES[name]
    before = _read(app, cast, case)
    done = confirmed(_client(app, case.actor(cast)), case.url(cast), case.data(cast))
    assert done.status_code == 302, done.get_data(as_text=True)
    assert _read(app, cast, case) != before


@pytest.mark.parametrize("name", CASES)
def test_a_stale_confirmation_is_refused_and_changes_nothing(app, beringen, name):
    cast, _other = beringen
    case = CASES[name]
    client = _client(app, case.actor(cast))
    page = client.post(case.url(cast), data=case.data(cast)).get_data(as_text=True)
    in_network(app, cast, case.stale(cast))  # someone else changes it meanwhile
    before = _read(app, cast, case)
    late = client.post(
        case.url(cast) + "?lang=en", data={**case.data(cast), "confirm_token": token_on(page)}
    )
    assert late.status_code == 409
    assert "changed since the confirmation page was shown" in late.get_data(as_text=True)
    assert _read(app, cast, case) == before
    # the page shows the new situation with a fresh confirmation, which works
    again = client.post(
        case.url(cast),
        data={**case.data(cast), "confirm_token": token_on(late.get_data(as_text=True))},
    )
    assert again.status_code == 302 and _read(app, cast, case) != before


@pytest.mark.parametrize("name", CASES)
def test_another_networks_object_is_not_found_on_either_step(app, beringen, name):
    cast, other = beringen
    case = CASES[name]
    client = _client(app, case.actor(cast))
    here = f"/{cast.network.slug}/"
    foreign = case.url(other).replace(f"/{other.network.slug}/", here, 1)
    before = _read(app, other, case)
    assert client.post(foreign, data=case.data(other)).status_code == 404
    if "privacy" not in foreign and "/move" not in foreign:
        assert client.get(foreign).status_code == 404
    # a confirmation made for one's own object does not open another network's either
    own = client.post(case.url(cast), data=case.data(cast)).get_data(as_text=True)
    attempt = client.post(foreign, data={**case.data(other), "confirm_token": token_on(own)})
    assert attempt.status_code == 404
    assert _read(app, other, case) == before


def test_a_confirmation_for_one_action_does_not_confirm_another(app, beringen):
    cast, _other = beringen
    steward = _client(app, cast.people[Role.STEWARD])
    place = CASES["remove a place"]
    page = steward.post(place.url(cast)).get_data(as_text=True)
    closure = CASES["remove a closing period"]
    before = _read(app, cast, closure)
    wrong = steward.post(closure.url(cast), data={"confirm_token": token_on(page)})
    assert wrong.status_code == 400 and _read(app, cast, closure) == before


def test_erasure_keeps_the_partners_messages_without_their_text(app, beringen):
    cast, _other = beringen
    in_network(app, cast, _add_message(cast.referral_id, cast.partner_b.id))
    steward = _client(app, cast.people[Role.STEWARD])
    url = f"/{cast.network.slug}/referrals/privacy/erase?lang=en"
    page = steward.post(url, data={"referral_id": [str(cast.referral_id)]})
    body = page.get_data(as_text=True)
    assert "The text of the 1 message between the partners." in body
    assert "who wrote it and when, its text removed" in body
    assert confirmed(steward, url, {"referral_id": [str(cast.referral_id)]}).status_code == 302

    def left():
        referral = db.session.get(Referral, cast.referral_id)
        messages = db.session.execute(select(ReferralMessage)).scalars().all()
        return referral.family_label, [(m.author_partner_id, m.body) for m in messages]

    label, messages = in_network(app, cast, left)
    assert label == "" and messages == [(cast.partner_b.id, "")]
    receiver = _client(app, cast.colleague_b)
    shown = receiver.get(f"/{cast.network.slug}/referrals/{cast.referral_id}?lang=en")
    assert "[text removed with the family" in shown.get_data(as_text=True)
    assert "Nog iets" not in shown.get_data(as_text=True)


def test_withdrawing_consent_twice_says_it_is_already_done(app, beringen):
    cast, _other = beringen
    sender = _client(app, cast.people[Role.PARTNER_ADMIN])
    url = f"/{cast.network.slug}/referrals/{cast.referral_id}/withdraw"
    assert confirmed(sender, url).status_code == 302
    again = sender.get(url)
    assert again.status_code == 302  # back to the referral, with a notice; nothing asked
    status = in_network(app, cast, _value(Referral, cast.referral_id, Referral.status))
    assert status == Status.CANCELLED


def test_a_place_in_use_is_refused_before_any_confirmation(app, beringen):
    cast, _other = beringen
    steward = _client(app, cast.people[Role.STEWARD])
    used = steward.post(f"/{cast.network.slug}/catalogue/places/{cast.location_id}/delete")
    assert used.status_code == 302
    assert in_network(app, cast, _value(Location, cast.location_id, Location.id))


def test_a_suspended_partner_is_not_asked_to_be_suspended_again(app, beringen):
    cast, _other = beringen
    in_network(app, cast, _set(Partner, cast.partner_b.id, state=PartnerState.SUSPENDED))
    steward = _client(app, cast.people[Role.STEWARD])
    url = f"/{cast.network.slug}/network/partners/{cast.partner_b.id}/suspend"
    assert steward.get(url).status_code == 302


# --- #19.6: a session that has started is not cancelled; the steward corrects its record -----


def _past(app, cast):
    held = utcnow().replace(microsecond=0) - timedelta(days=2)
    in_network(
        app,
        cast,
        _set(ActivitySession, cast.session_id, starts_at=held, ends_at=held + timedelta(hours=1)),
    )
    return f"/{cast.network.slug}/catalogue/sessions/{cast.session_id}"


def _status(app, cast):
    return in_network(app, cast, _value(ActivitySession, cast.session_id, ActivitySession.status))


def test_a_past_session_cannot_be_cancelled_or_restored_by_its_partner(app, beringen):
    cast, _other = beringen
    url = _past(app, cast)
    partner = _client(app, cast.colleague_b)
    refused = partner.post(url + "/cancel?lang=en", data={"action": "cancel", "reason": "Te laat"})
    assert refused.status_code == 422
    assert "cannot be cancelled or restored" in refused.get_data(as_text=True)
    assert _status(app, cast) == SessionStatus.SCHEDULED
    in_network(app, cast, _set(ActivitySession, cast.session_id, status=SessionStatus.CANCELLED))
    assert partner.post(url + "/cancel", data={"action": "restore"}).status_code == 422
    assert _status(app, cast) == SessionStatus.CANCELLED
    page = partner.get(url + "?lang=en").get_data(as_text=True)
    assert "Cancel this session" not in page and "It takes place after all" not in page
    assert "A steward can correct its record" in page
    assert partner.post(url + "/correct", data={"held": "yes", "reason": "x"}).status_code == 403


def test_the_steward_corrects_a_past_sessions_record_with_a_reason(app, beringen):
    cast, _other = beringen
    url = _past(app, cast)
    steward = _client(app, cast.people[Role.STEWARD])
    assert "Correct the record" in steward.get(url + "?lang=en").get_data(as_text=True)
    no_reason = steward.post(url + "/correct?lang=en", data={"held": "no", "reason": " "})
    assert no_reason.status_code == 422 and _status(app, cast) == SessionStatus.SCHEDULED
    fix = {"held": "no", "reason": "De zaal bleef dicht"}
    asked = steward.post(url + "/correct?lang=en", data=fix)
    body = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "counts as not held" in body
    assert "Nobody is e-mailed" in body and _status(app, cast) == SessionStatus.SCHEDULED
    assert confirmed(steward, url + "/correct", fix).status_code == 302
    assert _status(app, cast) == SessionStatus.CANCELLED
    note = in_network(app, cast, _value(ActivitySession, cast.session_id, ActivitySession.note))
    assert note == "De zaal bleef dicht"
    from saas.audit.models import AuditEvent

    audited = in_network(
        app,
        cast,
        lambda: db.session.execute(
            select(AuditEvent.details).where(AuditEvent.action == "session.corrected")
        ).scalar_one(),
    )
    assert audited == {"held": False}


def test_a_coming_session_is_not_corrected_but_cancelled(app, beringen):
    cast, _other = beringen
    steward = _client(app, cast.people[Role.STEWARD])
    url = f"/{cast.network.slug}/catalogue/sessions/{cast.session_id}/correct"
    refused = confirmed(steward, url, {"held": "no", "reason": "Vergissing"})
    assert refused.status_code == 422
    assert _status(app, cast) == SessionStatus.SCHEDULED


def test_another_networks_session_cannot_be_corrected(app, beringen):
    cast, other = beringen
    _past(app, other)
    steward = _client(app, cast.people[Role.STEWARD])
    url = f"/{cast.network.slug}/catalogue/sessions/{other.session_id}/correct"
    assert steward.post(url, data={"held": "no", "reason": "x"}).status_code == 404
    assert _status(app, other) == SessionStatus.SCHEDULED
