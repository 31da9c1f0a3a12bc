"""The steward removes a family's data in a real browser, after a second step (issue #19.2).

The steward finds the family on the privacy page and presses "remove": a page says what will be
lost (the family's details, the text of the partners' messages) and what stays (the referral
without the family, who wrote each message and when), and that it cannot be undone. Kind & Gezin
writes another message meanwhile, so the first confirmation is refused as stale: the page says
nothing happened and now counts two messages. Confirming again removes the data; the partners
still see that they wrote, not what. The sender records a withdrawn consent with JavaScript off.
Every distinct page passes axe-core, on a phone too. Skipped when Chromium is missing, unless
DORP_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import pytest

from tests.browser_support import AxeAudit, require_chromium

require_chromium()

from flask_babel import force_locale, ngettext  # noqa: E402
from playwright.sync_api import expect  # noqa: E402
from sqlalchemy import select  # noqa: E402

from saas.extensions import db  # noqa: E402
from saas.partners.models import Sector  # noqa: E402
from saas.referrals.models import Referral, ReferralMessage  # noqa: E402
from tenants.context import network_scope  # noqa: E402
from tenants.models import Role  # noqa: E402
from tests import factories as f  # noqa: E402

pytestmark = pytest.mark.browser

from tests.browser_fixtures import PHONE, Live  # noqa: E402  (fixtures: conftest plugin)

LABEL = "Mama van Amir, maandaggroep"
FIRST_NOTE = "Mama belt dinsdag terug over het slaapadvies"
LATE_NOTE = "Amir slaapt nu beter, zegt mama"


def _referral(app, net, ocmw, kg, sender) -> int:
    from saas.accounts.models import User
    from saas.partners.models import Partner
    from saas.referrals import services

    with app.test_request_context(), network_scope(net.id):
        referral = services.create(
            from_partner=db.session.get(Partner, ocmw.id),
            to_partner=db.session.get(Partner, kg.id),
            family=services.FamilyData(
                family_label=LABEL,
                contact_way="phone",
                contact_value="0470 12 34 56",
                question="Zoekt hulp bij slaapproblemen van haar peuter",
            ),
            consent=services.ConsentData(given_by="parent", purpose="Slaapadvies"),
            user=db.session.get(User, sender.id),
        )
        db.session.flush()
        db.session.add(
            ReferralMessage(referral_id=referral.id, author_partner_id=kg.id, body=FIRST_NOTE)
        )
        db.session.commit()
        return referral.id


def _add_message(app, net, referral_id, kg) -> None:
    with app.app_context(), network_scope(net.id):
        db.session.add(
            ReferralMessage(referral_id=referral_id, author_partner_id=kg.id, body=LATE_NOTE)
        )
        db.session.commit()


def _left(app, net, referral_id):
    with app.app_context(), network_scope(net.id):
        label = db.session.get(Referral, referral_id).family_label
        bodies = db.session.execute(
            select(ReferralMessage.body).order_by(ReferralMessage.id)
        ).scalars()
        return label, list(bodies)


def _login(page, live: Live, who: f.Ref) -> None:
    t = live.t
    page.goto(live.url + "/auth/login")
    page.get_by_label(t("E-mail address"), exact=True).fill(who.email)
    page.get_by_label(t("Password"), exact=True).fill(f.PASSWORD)
    page.locator("main").get_by_role("button", name=t("Log in"), exact=True).click()


def test_steward_confirms_then_erases_and_a_stale_confirmation_changes_nothing(
    app, live: Live, new_page
):
    net = f.network(app, "beringen")
    ocmw = f.partner(app, net, "OCMW Beringen", Sector.WELFARE)
    kg = f.partner(app, net, "Kind & Gezin", Sector.HEALTH)
    sender = f.user(app, "an@ocmw.example", (net, Role.PARTNER_ADMIN, ocmw), name="An Ocmw")
    receiver = f.user(app, "cas@kg.example", (net, Role.PARTNER_ADMIN, kg), name="Cas Kg")
    steward = f.user(app, "els@beringen.example", (net, Role.STEWARD), name="Els Steward")
    referral_id = _referral(app, net, ocmw, kg, sender)
    t = live.t

    def n(singular: str, plural: str, num: int) -> str:
        with live.app.test_request_context(), force_locale("nl"):
            return ngettext(singular, plural, num)

    axe = AxeAudit()
    page = new_page()
    _login(page, live, steward)
    page.goto(live.url + "/beringen/referrals/privacy")
    page.get_by_label(
        t("Label, phone number or e-mail address the family is known by"), exact=True
    ).fill("0470 12")
    page.get_by_role("button", name=t("Search"), exact=True).click()
    expect(page.get_by_text(LABEL)).to_be_visible()
    page.get_by_role("button", name=t("Remove the family's data"), exact=True).click()

    # step two: what will be lost, what stays, that it cannot be undone; nothing happened yet
    expect(page.get_by_role("heading", level=1)).to_have_text(
        n(
            "Remove the family's data from %(num)d referral?",
            "Remove the family's data from %(num)d referrals?",
            1,
        )
    )
    lost = page.locator("#confirm-lost")
    expect(lost).to_contain_text(t("The purpose written in the consent record."))
    one = n(
        "The text of the %(num)d message between the partners.",
        "The text of the %(num)d messages between the partners.",
        1,
    )
    expect(lost).to_contain_text(one)
    expect(page.locator("#confirm-kept")).to_contain_text(
        n(
            "That the partners exchanged %(num)d message: who wrote it and when, its text removed.",
            "That the partners exchanged %(num)d messages: who wrote each and when, "
            "their text removed.",
            1,
        )
    )
    expect(page.locator("#confirm-undo")).to_have_text(t("This cannot be undone."))
    assert _left(app, net, referral_id) == (LABEL, [FIRST_NOTE])
    axe.check(page, "confirmation of an erasure")

    # Kind & Gezin writes meanwhile: the confirmation is stale and is refused
    _add_message(app, net, referral_id, kg)
    page.get_by_role("button", name=t("Remove the family's data"), exact=True).click()
    expect(page.get_by_role("alert")).to_have_text(
        t(
            "This changed since the confirmation page was shown, so nothing has been done. "
            "Check what will happen now and confirm again."
        )
    )
    two = n(
        "The text of the %(num)d message between the partners.",
        "The text of the %(num)d messages between the partners.",
        2,
    )
    expect(page.locator("#confirm-lost")).to_contain_text(two)
    assert _left(app, net, referral_id) == (LABEL, [FIRST_NOTE, LATE_NOTE])
    axe.check(page, "stale confirmation")
    phone = new_page(viewport=PHONE)
    phone.context.add_cookies(page.context.cookies())
    phone.goto(live.url + "/beringen/referrals/privacy")
    phone.get_by_label(
        t("Label, phone number or e-mail address the family is known by"), exact=True
    ).fill(LABEL)
    phone.get_by_role("button", name=t("Search"), exact=True).click()
    phone.get_by_role("button", name=t("Remove the family's data"), exact=True).click()
    expect(phone.locator("#confirm-lost")).to_contain_text(two)
    axe.check(phone, "confirmation on a phone")

    # confirming the new situation acts
    page.get_by_role("button", name=t("Remove the family's data"), exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text(
        n(
            "The family's data has been removed from %(num)d referral.",
            "The family's data has been removed from %(num)d referrals.",
            1,
        )
    )
    assert _left(app, net, referral_id) == ("", ["", ""])

    # the partners still see that they wrote, and when, not what
    other = new_page()
    _login(other, live, receiver)
    other.goto(live.url + f"/beringen/referrals/{referral_id}")
    removed = other.get_by_text(t("[text removed with the family's data]"))
    expect(removed).to_have_count(2)
    expect(other.locator("main")).not_to_contain_text(LATE_NOTE)
    expect(other.locator("main")).not_to_contain_text(LABEL)
    axe.check(other, "referral after erasure")
    assert not axe.problems, axe.report()


def test_sender_records_a_withdrawn_consent_without_javascript(app, live: Live, new_page):
    net = f.network(app, "beringen")
    ocmw = f.partner(app, net, "OCMW Beringen", Sector.WELFARE)
    kg = f.partner(app, net, "Kind & Gezin", Sector.HEALTH)
    sender = f.user(app, "an@ocmw.example", (net, Role.PARTNER_ADMIN, ocmw), name="An Ocmw")
    referral_id = _referral(app, net, ocmw, kg, sender)
    t = live.t
    page = new_page(java_script_enabled=False)
    _login(page, live, sender)
    page.goto(live.url + f"/beringen/referrals/{referral_id}")
    page.get_by_role("link", name=t("The family withdraws consent: remove its data")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("The family withdraws its consent: remove its data?")
    )
    expect(page.locator("#confirm-lost")).to_contain_text(
        t("The referral is cancelled: %(partner)s no longer acts on it.", partner="Kind & Gezin")
    )
    assert _left(app, net, referral_id) == (LABEL, [FIRST_NOTE])
    page.get_by_role("link", name=t("No, keep it as it is")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{t('Referral')} #{referral_id}")
    assert _left(app, net, referral_id) == (LABEL, [FIRST_NOTE])
    page.get_by_role("link", name=t("The family withdraws consent: remove its data")).click()
    page.get_by_role(
        "button", name=t("Record the withdrawal and remove the data"), exact=True
    ).click()
    expect(page.get_by_role("status").first).to_contain_text(
        t("Consent is withdrawn: the family's data has been removed.")
    )
    assert _left(app, net, referral_id) == ("", [""])
