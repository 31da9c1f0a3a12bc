"""A partner refers a family, in a real browser: closed loop, suggestions, privacy of the e-mail.

OCMW Beringen refers a family's question to Kind & Gezin through the real form (CSRF on), asks
for suitable activities (the page updates itself without navigating while the RQ job runs),
Kind & Gezin is told by an e-mail that holds only a link, opens it, cannot decline without a
reason, accepts and writes a message; a third partner of the network gets a 404. Without
JavaScript the same suggestions are reached through plain links. Every distinct page is checked
with axe-core (no serious or critical violations). Texts are looked up through the app's own
translations (`live.t`). Skipped when Chromium is missing, unless DORP_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from tests.browser_support import (
    AxeAudit,
    require_chromium,
)

require_chromium()

from playwright.sync_api import Page, expect  # noqa: E402

from saas.partners.models import Sector  # noqa: E402
from tests import catalogue_factories as cf  # noqa: E402
from tests import factories as f  # noqa: E402
from tests.mail import links_in_mailbox, messages  # noqa: E402

pytestmark = pytest.mark.browser

from tests.browser_fixtures import TIMEOUT_MS, Live  # noqa: E402,F401  (fixtures: conftest plugin)

OCMW, KG, CLB = "OCMW Beringen", "Kind & Gezin", "CLB Beringen"
TODDLERS = "Babbelonie: spelen en praten"  # Kind & Gezin, 0 to 3 years, also in Turkish
SCHOOLKIDS = "Huiswerkklas"  # CLB, 6 to 12 years: never suggested for a toddler
OWN = "Peuterochtend van het OCMW"  # the sender's own: never suggested to itself
FAMILY = {
    "label": "Mama van Amir, maandaggroep",
    "question": "Zoekt hulp bij slaapproblemen van haar peuter",
    "themes": "slapen, peuter",
    "neighbourhood": "Beringen-Mijn",
    "purpose": "Gecontacteerd worden over slaapadvies",
}


@dataclass
class Cast:
    net: f.Ref
    ocmw: f.Ref
    kg: f.Ref
    clb: f.Ref
    sender: f.Ref
    receiver: f.Ref
    outsider: f.Ref
    toddlers: f.Ref


@pytest.fixture
def cast(app) -> Cast:
    """Network beringen: OCMW (welfare) refers, Kind & Gezin (health) receives, CLB looks on.
    Published offers for the matching: Kind & Gezin's toddler group (0-3, Dutch and Turkish,
    weekly from tomorrow), a CLB class for 6 to 12 and one of OCMW's own."""
    net = f.network(app, "beringen")
    ocmw = f.partner(app, net, OCMW, Sector.WELFARE)
    kg = f.partner(app, net, KG, Sector.HEALTH)
    clb = f.partner(app, net, CLB, Sector.EDUCATION)
    sender = f.user(app, "an@ocmw.example", (net, f.Role.PARTNER_ADMIN, ocmw), name="An Ocmw")
    receiver = f.user(app, "cas@kg.example", (net, f.Role.PARTNER_ADMIN, kg), name="Cas Kg")
    outsider = f.user(app, "dirk@clb.example", (net, f.Role.PARTNER_ADMIN, clb), name="Dirk Clb")
    place = cf.place(app, net)  # Buurthuis De Kolonie, Beringen-Mijn
    tomorrow = date.today() + timedelta(days=1)
    weekly = {
        "location": place,
        "start": tomorrow,
        "rrule": f"FREQ=WEEKLY;UNTIL={tomorrow + timedelta(weeks=8):%Y%m%d}",
        "code": "onthaalmoment",
    }
    toddlers = cf.offer(app, net, kg, title=TODDLERS, themes=["slapen", "spel"], **weekly)
    _set_ages(app, net, toddlers, 0, 35)
    _set_ages(app, net, cf.offer(app, net, clb, title=SCHOOLKIDS, **weekly), 72, 143)
    _set_ages(app, net, cf.offer(app, net, ocmw, title=OWN, **weekly), 0, 35)
    return Cast(net, ocmw, kg, clb, sender, receiver, outsider, toddlers)


# --- helpers ----------------------------------------------------------------------------------


def _set_ages(app, net: f.Ref, offer: f.Ref, low_months: int, high_months: int) -> None:
    """catalogue_factories.offer fixes the ages at 0-6 years; give an offer its own age range."""
    from saas.catalogue.models import Offer
    from saas.extensions import db
    from tenants.context import network_scope

    with app.app_context(), network_scope(net.id):
        row = db.session.get(Offer, offer.id)
        row.age_min_months, row.age_max_months = low_months, high_months
        db.session.commit()


def _status_in_db(app, net: f.Ref, referral_id: int) -> str:
    from saas.extensions import db
    from saas.referrals.models import Referral
    from tenants.context import network_scope

    with app.app_context(), network_scope(net.id):
        return str(db.session.get(Referral, referral_id).status)


def _log_in(page: Page, live: Live, email: str, landing: str) -> None:
    """Fill the login form on the current page (or open it) and land on `landing`."""
    t = live.t
    if "/auth/login" not in page.url:
        page.goto(live.url + "/auth/login")
    page.get_by_label(t("E-mail address"), exact=True).fill(email)
    page.get_by_label(t("Password"), exact=True).fill(f.PASSWORD)
    page.locator("main").get_by_role("button", name=t("Log in"), exact=True).click()
    expect(page).to_have_url(live.url + landing)


def _expect_flash(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def _open_referrals(page: Page, live: Live) -> None:
    t = live.t
    header = page.get_by_role("navigation", name=t("Main"), exact=True)
    header.get_by_role("link", name=t("Referrals"), exact=True).click()
    expect(page).to_have_url(live.url + "/beringen/referrals/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Referrals"))


def _fill_referral(page: Page, live: Live, label: str) -> None:
    """The new-referral form, filled in by its labels, for a toddler of a Turkish-speaking family."""
    t = live.t
    to_whom = page.get_by_role("group", name=t("To whom"), exact=True)
    expect(to_whom.get_by_label(t("Referred by"), exact=True).locator("option")).to_have_text(
        [OCMW]
    )
    to_whom.get_by_label(t("Refer to"), exact=True).select_option(label=KG)
    page.get_by_label(t("Label for the family"), exact=True).fill(label)
    page.get_by_label(t("The family's question"), exact=True).fill(FAMILY["question"])
    page.get_by_label(t("Themes"), exact=True).fill(FAMILY["themes"])
    ages = page.get_by_role("group", name=t("Ages of the children"), exact=True)
    ages.get_by_label(t("0 to 3 years"), exact=True).check()
    spoken = page.get_by_role("group", name=t("Languages the family speaks"), exact=True)
    spoken.get_by_label("Türkçe", exact=True).check()
    page.get_by_label(t("Neighbourhood"), exact=True).fill(FAMILY["neighbourhood"])
    reach = page.get_by_role("group", name=t("How can the partner reach the family?"), exact=True)
    reach.get_by_label(t("Through us"), exact=True).check()
    consent = t("The family agrees that we pass on this question to this partner")
    page.get_by_label(consent, exact=True).check()
    page.get_by_label(t("Consent given by"), exact=True).select_option(label=t("A parent"))
    page.get_by_label(t("For what"), exact=True).fill(FAMILY["purpose"])
    page.get_by_role("button", name=t("Send the referral"), exact=True).click()


def _refer_a_family(page: Page, live: Live, label: str, axe: AxeAudit | None = None) -> int:
    """From the referral list to a sent referral's page; its id."""
    t = live.t
    page.locator("main").get_by_role("link", name=t("Refer a family"), exact=True).click()
    expect(page).to_have_url(live.url + "/beringen/referrals/new")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Refer a family"))
    expect(page.locator("main form input[name=csrf_token]")).not_to_have_value("")
    if axe:
        axe.check(page, "new referral form")
    _fill_referral(page, live, label)
    expect(page).to_have_url(re.compile(re.escape(live.url) + r"/beringen/referrals/\d+$"))
    _expect_flash(page, t("The referral has been sent."))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"#\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def _status_badge(page: Page):
    return page.locator("main h1").locator("xpath=following-sibling::span[1]")


def _after_heading(page: Page, heading: str, tag: str):
    """The list that follows the <h2> with this text."""
    h2 = page.get_by_role("heading", level=2, name=heading, exact=True)
    return h2.locator(f"xpath=following-sibling::{tag}[1]")


def _definition(page: Page, term: str):
    dt = page.locator("main dt").filter(has_text=re.compile(f"^{re.escape(term)}$"))
    return dt.locator("xpath=following-sibling::dd[1]")


def _report_lesser(axe: AxeAudit) -> None:
    if axe.lesser:
        print("axe-core, moderate/minor findings (not failed):\n  " + "\n  ".join(axe.lesser))


def _bodies(message) -> str:
    parts = [message.get_body(preferencelist=(kind,)) for kind in ("plain", "html")]
    return "\n".join(part.get_content() for part in parts if part is not None)


# --- the journey --------------------------------------------------------------------------------


def test_a_partner_refers_a_family(app, live, cast, new_page, run_jobs, environ):
    t = live.t
    axe = AxeAudit()

    # OCMW's administrator: Referrals in the header -> refer a family -> the form by its labels.
    page = new_page()
    _log_in(page, live, cast.sender.email, "/beringen/dashboard")
    _open_referrals(page, live)
    expect(page.locator("main tbody")).to_contain_text(t("No referrals here."))
    referral_id = _refer_a_family(page, live, FAMILY["label"], axe)
    detail = f"{live.url}/beringen/referrals/{referral_id}"

    # The referral's page: sent, with what was written and its timeline.
    expect(_status_badge(page)).to_have_text(t("Sent"))
    expect(_definition(page, t("To"))).to_have_text(KG)
    expect(_definition(page, t("Label"))).to_have_text(FAMILY["label"])
    expect(_definition(page, t("Question"))).to_have_text(FAMILY["question"])
    expect(_definition(page, t("Languages"))).to_contain_text("Türkçe")
    expect(_definition(page, t("Contact"))).to_have_text(t("Through %(partner)s", partner=OCMW))
    timeline = _after_heading(page, t("Timeline"), "ol").locator("li")
    expect(timeline).to_have_count(2)
    expect(timeline.first).to_contain_text(t("Draft"))
    expect(timeline.last).to_contain_text(t("Sent"))

    # Back to the list (the sent box): the referral is there.
    page.locator("main").get_by_role("link", name=f"← {t('Referrals')}", exact=True).click()
    expect(page).to_have_url(live.url + "/beringen/referrals/?box=out")
    row = page.get_by_role("row").filter(has_text=FAMILY["label"])
    expect(row).to_have_count(1)
    expect(row).to_contain_text(KG)
    expect(row).to_contain_text(t("Sent"))
    axe.check(page, "referral list (sent)")
    row.get_by_role("link", name=f"#{referral_id}", exact=True).click()
    expect(page).to_have_url(detail)

    # Suggestions with JavaScript: posted in the background, then asked for every second.
    results = page.locator("#matches-results")
    expect(results).to_contain_text(t("No suggestions yet."))  # the script's first look
    navigations: list[str] = []
    page.on(
        "framenavigated",
        lambda frame: navigations.append(frame.url) if frame == page.main_frame else None,
    )
    before = page.url
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith(f"/{referral_id}/match")
    ) as started:
        page.get_by_role("button", name=t("Look for suitable activities"), exact=True).click()
    assert started.value.status == 202, started.value.status
    expect(results).to_contain_text(t("Looking for suitable activities…"))
    run_jobs()  # the matching job (and the e-mail to Kind & Gezin)
    suggestions = results.locator("ol > li")
    expect(suggestions).to_have_count(1)  # not CLB's class for 6 to 12, not OCMW's own
    expect(suggestions.first).to_contain_text(TODDLERS)
    expect(suggestions.first).to_contain_text(KG)
    expect(suggestions.first.get_by_role("link", name=TODDLERS, exact=True)).to_have_attribute(
        "href", f"/beringen/catalogue/offers/{cast.toddlers.id}"
    )
    refer_link = suggestions.first.get_by_role("link", name=t("Refer to this activity"))
    expect(refer_link).to_have_attribute(
        "href", re.compile(rf"/beringen/referrals/new\?.*offer={cast.toddlers.id}")
    )
    assert page.url == before, f"the page moved from {before} to {page.url}"
    assert navigations == [], f"the suggestions came with a page navigation: {navigations}"
    axe.check(page, "referral detail (sender, with suggestions)")

    # Kind & Gezin's administrator gets an e-mail with a link and nothing about the family.
    mails = [m for m in messages(environ) if m["To"] == cast.receiver.email]
    assert len(mails) == 1, [m["Subject"] for m in mails]
    text = str(mails[0]["Subject"]) + "\n" + _bodies(mails[0])
    for secret in (*FAMILY.values(), "Amir", "slaap", "Türkçe"):
        assert secret not in text, f"the e-mail gives away {secret!r}:\n{text}"
    links = links_in_mailbox(environ, cast.receiver.email, "")
    base = live.app.config["BASE_URL"]
    assert links == [f"{base}/beringen/referrals/{referral_id}"], links

    # ...opens it in a browser of their own, logging in on the way: it is now received.
    other = new_page()
    other.goto(live.url + links[0].removeprefix(base))
    expect(other).to_have_url(re.compile(re.escape(live.url) + r"/auth/login\?next="))
    _log_in(other, live, cast.receiver.email, f"/beringen/referrals/{referral_id}")
    expect(_status_badge(other)).to_have_text(t("Received"))
    expect(_definition(other, t("From"))).to_have_text(OCMW)
    expect(_definition(other, t("Question"))).to_have_text(FAMILY["question"])
    expect(_after_heading(other, t("Timeline"), "ol").locator("li").last).to_contain_text(
        t("Received")
    )
    axe.check(other, "referral detail (receiver)")

    # Declining without a reason is refused, and changes nothing.
    expect(other.get_by_label(t("Reason"), exact=True)).to_have_value("")
    other.get_by_role("button", name=t("Decline"), exact=True).click()
    expect(other.get_by_role("alert")).to_have_text(t("Choose a reason for declining."))
    expect(_status_badge(other)).to_have_text(t("Received"))
    assert _status_in_db(app, cast.net, referral_id) == "received"

    # Accept, then a message for the sender.
    other.get_by_role("button", name=t("Accept"), exact=True).click()
    expect(other).to_have_url(detail)
    _expect_flash(other, t("The referral is now: %(status)s.", status=t("Accepted")))
    expect(_status_badge(other)).to_have_text(t("Accepted"))
    note = "We bellen haar maandag, met een tolk Turks."
    other.get_by_label(t("Message"), exact=True).fill(note)
    other.get_by_role("button", name=t("Send the message"), exact=True).click()
    expect(other).to_have_url(detail)
    expect(_after_heading(other, t("Messages"), "ul")).to_contain_text(note)

    # OCMW sees the answer and the message after a reload, each with who wrote or took it.
    page.reload()
    expect(_status_badge(page)).to_have_text(t("Accepted"))
    said = _after_heading(page, t("Messages"), "ul").locator("li")
    expect(said).to_have_count(1)
    expect(said.first).to_contain_text(note)
    cas = t("%(person)s (%(partner)s)", person=cast.receiver.name, partner=KG)
    expect(said.first).to_contain_text(cas)
    steps = _after_heading(page, t("Timeline"), "ol").locator("li")
    expect(steps.filter(has_text=t("Accepted"))).to_contain_text(cas)
    expect(steps.filter(has_text=t("Message written"))).to_contain_text(cas)
    an = t("%(person)s (%(partner)s)", person=cast.sender.name, partner=OCMW)
    expect(steps.filter(has_text=t("Sent"))).to_contain_text(an)

    # Its notices: the count in the header, and opening one marks it read and leads to it.
    nav = page.get_by_role("navigation", name=t("Main"), exact=True)
    count_link = nav.get_by_role("link", name=re.compile(re.escape(t("Notifications")) + r" \(2\)"))
    expect(count_link).to_have_count(1)
    count_link.click()
    notices = page.locator("main ul.list-group > li")
    expect(notices).to_have_count(2)
    marked_new = notices.locator("span", has_text=re.compile(rf"· {re.escape(t('new'))}$"))
    expect(marked_new).to_have_count(2)
    axe.check(page, "notifications")
    notices.first.get_by_role("link").click()
    expect(page).to_have_url(detail)
    expect(nav.get_by_role("link", name=f"{t('Notifications')} (1)", exact=True)).to_have_count(1)
    page.go_back()
    page.reload()
    expect(marked_new).to_have_count(1)

    # A third partner of the network does not even learn that the referral exists.
    outsider = new_page()
    _log_in(outsider, live, cast.outsider.email, "/beringen/dashboard")
    response = outsider.goto(detail)
    assert response is not None and response.status == 404, response and response.status
    expect(outsider.locator("main")).not_to_contain_text(FAMILY["label"])
    outsider.goto(live.url + "/beringen/referrals/?box=in")
    expect(outsider.locator("main")).not_to_contain_text(FAMILY["label"])

    _report_lesser(axe)
    assert not axe.problems, axe.report()


def test_without_javascript_the_suggestions_come_through_plain_links(
    app, live, cast, new_page, run_jobs
):
    t = live.t
    axe = AxeAudit()
    page = new_page(java_script_enabled=False)
    _log_in(page, live, cast.sender.email, "/beringen/dashboard")
    _open_referrals(page, live)
    referral_id = _refer_a_family(page, live, "Papa van Lina")
    expect(_status_badge(page)).to_have_text(t("Sent"))
    results = page.locator("#matches-results")
    expect(results.get_by_role("link", name=t("Show the suggestions"), exact=True)).to_be_visible()

    # The button is a plain form: back to the referral page, with a link to refresh.
    page.get_by_role("button", name=t("Look for suitable activities"), exact=True).click()
    expect(page).to_have_url(f"{live.url}/beringen/referrals/{referral_id}?matching=1#matches")
    results.get_by_role("link", name=t("Refresh"), exact=True).click()
    matches = f"{live.url}/beringen/referrals/{referral_id}/matches"
    expect(page).to_have_url(matches)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Suggested activities"))
    expect(page.get_by_role("status")).to_contain_text(t("Looking for suitable activities…"))

    # The job runs; the refresh link on the suggestions page shows its result.
    run_jobs()
    page.locator("main").get_by_role("link", name=t("Refresh"), exact=True).click()
    expect(page).to_have_url(matches)
    suggestions = page.locator("main ol > li")
    expect(suggestions).to_have_count(1)
    expect(suggestions.first).to_contain_text(TODDLERS)
    expect(suggestions.first).to_contain_text(KG)

    # axe-core needs scripts to run (page.evaluate never returns where JavaScript is off), so
    # the same full page, which has no script of its own, is checked in a second context that
    # shares this one's cookies.
    checker = new_page(storage_state=page.context.storage_state())
    checker.goto(matches)
    expect(checker.locator("main ol > li")).to_have_count(1)
    axe.check(checker, "suggestions page (full page, as served without JavaScript)")

    _report_lesser(axe)
    assert not axe.problems, axe.report()


def test_a_referral_started_from_a_suggestion_keeps_what_was_written(
    app, live, cast, new_page, run_jobs
):
    """#19: "Refer to this activity" opens the form with the family's label, question and
    details already there, the partner and activity chosen; the activities follow the partner."""
    t = live.t
    axe = AxeAudit()
    page = new_page()
    _log_in(page, live, cast.sender.email, "/beringen/dashboard")
    _open_referrals(page, live)
    referral_id = _refer_a_family(page, live, FAMILY["label"])
    page.get_by_role("button", name=t("Look for suitable activities"), exact=True).click()
    # the job is only queued once the page says so; running jobs before that finds none
    expect(page.locator("#matches-results")).to_contain_text(t("Looking for suitable activities…"))
    run_jobs()
    suggestion = page.locator("#matches-results ol > li").first
    expect(suggestion).to_contain_text(TODDLERS)
    suggestion.get_by_role("link", name=t("Refer to this activity"), exact=True).click()

    # the form, as the person sees it: what was written is there, the suggestion is chosen
    expect(page).to_have_url(re.compile(re.escape(live.url) + r"/beringen/referrals/new\?"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Refer a family"))
    expect(page.get_by_label(t("Label for the family"), exact=True)).to_have_value(FAMILY["label"])
    expect(page.get_by_label(t("The family's question"), exact=True)).to_have_value(
        FAMILY["question"]
    )
    expect(page.get_by_label(t("Themes"), exact=True)).to_have_value(FAMILY["themes"])
    expect(page.get_by_label(t("Neighbourhood"), exact=True)).to_have_value(FAMILY["neighbourhood"])
    ages = page.get_by_role("group", name=t("Ages of the children"), exact=True)
    expect(ages.get_by_label(t("0 to 3 years"), exact=True)).to_be_checked()
    spoken = page.get_by_role("group", name=t("Languages the family speaks"), exact=True)
    expect(spoken.get_by_label("Türkçe", exact=True)).to_be_checked()
    to_whom = page.get_by_role("group", name=t("To whom"), exact=True)
    partner = to_whom.get_by_label(t("Refer to"), exact=True)
    activity = to_whom.get_by_label(t("Activity (optional)"), exact=True)
    expect(partner.locator("option:checked")).to_have_text(KG)
    expect(activity.locator("option:checked")).to_have_text(TODDLERS)
    expect(partner.locator("option")).not_to_contain_text([OCMW])  # never one's own
    # with JavaScript the "show" buttons are not needed
    expect(to_whom.get_by_role("button", name=t("Show this partner's activities"))).to_be_hidden()
    axe.check(page, "new referral form, from a suggestion")

    # another partner: its activities replace the list, without leaving the page
    partner.select_option(label=CLB)
    expect(activity.locator("option")).to_have_text([t("No specific activity"), SCHOOLKIDS])
    partner.select_option(label=KG)
    expect(activity.locator("option")).to_have_text([t("No specific activity"), TODDLERS])
    activity.select_option(label=TODDLERS)
    expect(page.get_by_label(t("Label for the family"), exact=True)).to_have_value(FAMILY["label"])

    # consent for this partner, and it is sent with everything that was written
    page.get_by_label(
        t("The family agrees that we pass on this question to this partner"), exact=True
    ).check()
    page.get_by_label(t("Consent given by"), exact=True).select_option(label=t("A parent"))
    page.get_by_label(t("For what"), exact=True).fill(FAMILY["purpose"])
    page.get_by_role("button", name=t("Send the referral"), exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(live.url) + r"/beringen/referrals/\d+$"))
    assert int(page.url.rsplit("/", 1)[1]) != referral_id
    expect(_definition(page, t("To"))).to_have_text(f"{KG} – {TODDLERS}")
    expect(_definition(page, t("Label"))).to_have_text(FAMILY["label"])
    expect(_definition(page, t("Question"))).to_have_text(FAMILY["question"])
    axe.check(page, "referral detail, sent from a suggestion")

    _report_lesser(axe)
    assert not axe.problems, axe.report()
