"""A family's copy of its data, readable: labels instead of codes, Belgian time, its language;
the machine-readable JSON beside it; every copy audited; another network's referral not found."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from html import unescape

import pytest
from sqlalchemy import select

from saas.audit.models import AuditEvent
from saas.extensions import db
from saas.referrals.models import Referral, ReferralEvent
from tenants.context import network_scope
from tenants.models import Role
from tests import factories as f
from tests.pdf_reading import glyph_letters, streams
from tests.test_referrals import cast, client_of, refer, the_referral  # noqa: F401 (fixture)

# 22:30:15.123456 UTC on 1 July is 00:30 on 2 July in Brussels (summer time)
WRITTEN = datetime(2026, 7, 1, 22, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def referral_id(app, cast):  # noqa: F811
    sender = client_of(app, cast["people"]["sender"])
    response = refer(
        sender,
        cast,
        contact_way="phone",
        contact_value="0470 12 34 56",
        preferred_days=["WE", "FR"],
        preferred_times=["morning"],
        languages=["ar", "nl"],
        age_bands=["0-3"],
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    referral = the_referral(app, cast)
    with app.app_context(), network_scope(cast["net"].id):
        row = db.session.get(Referral, referral.id)
        row.created_at = WRITTEN
        for event in db.session.execute(
            select(ReferralEvent).where(ReferralEvent.referral_id == row.id)
        ).scalars():
            event.created_at = WRITTEN
        db.session.commit()
    return referral.id


def _copy(client, referral_id: int, language: str | None, route: str = "copy"):
    data = {"referral_id": [str(referral_id)]}
    if language is not None:
        data["language"] = language
    return client.post(f"/beringen/referrals/privacy/{route}", data=data)


def _visible(html: str) -> str:
    main = html.split('<main id="main"', 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())


def _exports(app, cast) -> list[dict]:  # noqa: F811
    with app.app_context(), network_scope(cast["net"].id):
        rows = db.session.execute(
            select(AuditEvent)
            .where(AuditEvent.action == "privacy.exported")
            .order_by(AuditEvent.id)
        ).scalars()
        return [{"id": r.object_id, **r.details} for r in rows]


def test_the_copy_reads_in_words_not_codes(app, cast, referral_id):  # noqa: F811
    steward = client_of(app, cast["people"]["steward"])
    response = _copy(steward, referral_id, "nl")
    assert response.status_code == 200
    text = _visible(response.get_data(as_text=True))
    assert "woensdag en vrijdag" in text
    assert "voormiddag" in text
    assert "العربية en Nederlands" in text
    assert "0 tot 3 jaar" in text or "0 to 3 years" in text
    assert "Telefonisch: 0470 12 34 56" in text or "By phone: 0470 12 34 56" in text
    for code in ("WE,FR", "WE", "morning", "0-3", "ar,nl", "sent", "parent", "created"):
        assert not re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text), code


def test_the_copy_writes_belgian_time_to_the_minute(app, cast, referral_id):  # noqa: F811
    steward = client_of(app, cast["people"]["steward"])
    text = _visible(_copy(steward, referral_id, "nl").get_data(as_text=True))
    assert "2 juli 2026 00:30" in text
    # never the stored UTC time ("1 juli 2026 22:30"); the consent given today may well say
    # 22:30 of today, so the check names the day
    assert not re.search(r"(?<!\d)1 juli 2026", text)
    assert "22:30:15" not in text and "123456" not in text
    # to the minute: no seconds anywhere (the page's own "made on" time has none either, so this
    # holds at any moment the test runs, also at a quarter past)
    assert not re.search(r"\d:\d\d:\d\d", text)
    assert "+00:00" not in text and "UTC" not in text


@pytest.mark.parametrize(
    "language, days, morning, html",
    [
        ("fr", "mercredi et vendredi", "matin", '<html lang="fr" dir="ltr">'),
        ("en", "Wednesday and Friday", "morning", '<html lang="en" dir="ltr">'),
        ("tr", "Çarşamba ve Cuma", None, '<html lang="tr" dir="ltr">'),
        ("ar", None, None, '<html lang="ar" dir="rtl">'),
    ],
)
def test_the_family_chooses_the_language_of_its_copy(
    app,
    cast,  # noqa: F811
    referral_id,
    language,
    days,
    morning,
    html,
):
    steward = client_of(app, cast["people"]["steward"])
    body = _copy(steward, referral_id, language).get_data(as_text=True)
    assert html in body
    text = _visible(body)
    if days:
        assert days.casefold() in text.casefold()
    if morning:
        assert morning.casefold() in text.casefold()
    assert "WE" not in text.split() and "2 juli" not in text


def test_an_unknown_language_is_refused_and_nothing_is_exported(app, cast, referral_id):  # noqa: F811
    steward = client_of(app, cast["people"]["steward"])
    for language in ("de", "xx", "<script>"):
        assert _copy(steward, referral_id, language).status_code == 400
    assert _exports(app, cast) == []


def test_the_pdf_copy_is_a_pdf_in_a_unicode_font(app, cast, referral_id):  # noqa: F811
    steward = client_of(app, cast["people"]["steward"])
    response = _copy(steward, referral_id, "tr", route="copy.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "family-data-tr.pdf" in response.headers["Content-Disposition"]
    heads = b"".join(head for head, _data in streams(response.data))
    assert b"/Length1" in heads  # an embedded TrueType font (DejaVu Sans): Turkish letters print
    # in Arabic too: the letters are shaped (joined), as HarfBuzz does for a screen
    arabic = _copy(steward, referral_id, "ar", route="copy.pdf")
    assert arabic.status_code == 200 and arabic.mimetype == "application/pdf"
    assert "family-data-ar.pdf" in arabic.headers["Content-Disposition"]
    letters = glyph_letters(arabic.data)
    arabic_glyphs = {g: s for g, s in letters.items() if any("\u0600" <= c <= "\u06ff" for c in s)}
    assert len(arabic_glyphs) > 20, "the Arabic copy shows Arabic letters"
    forms = Counter(s for s in arabic_glyphs.values() if len(s) == 1)
    assert max(forms.values()) >= 2, "a letter in two of its forms: the text was shaped"
    assert "\u0644\u0627" in letters.values(), "lam-alef drawn as one ligature"
    assert [(e["form"], e["language"]) for e in _exports(app, cast)] == [
        ("pdf", "tr"),
        ("pdf", "ar"),
    ]


def test_the_json_stays_beside_it_with_codes_and_seconds(app, cast, referral_id):  # noqa: F811
    steward = client_of(app, cast["people"]["steward"])
    response = _copy(steward, referral_id, None, route="export")
    data = response.get_json(force=True)["referrals"][0]
    assert data["preferred_days"] == "WE,FR" and data["preferred_times"] == "morning"
    assert data["created_at"] == "2026-07-01T22:30:15+00:00"
    assert [(e["id"], e["form"]) for e in _exports(app, cast)] == [(referral_id, "json")]


def test_every_copy_is_audited_without_the_familys_data(app, cast, referral_id):  # noqa: F811
    steward = client_of(app, cast["people"]["steward"])
    _copy(steward, referral_id, "fr")
    _copy(steward, referral_id, "nl", route="copy.pdf")
    exports = _exports(app, cast)
    assert exports == [
        {"id": referral_id, "form": "html", "language": "fr"},
        {"id": referral_id, "form": "pdf", "language": "nl"},
    ]


@pytest.mark.parametrize("route", ["copy", "copy.pdf", "export"])
def test_another_networks_steward_finds_no_such_referral(app, cast, referral_id, route):  # noqa: F811
    other = f.network(app, "sint-truiden")
    theirs = f.user(app, "regie@sint-truiden.example", (other, Role.STEWARD), name="Jo")
    client = client_of(app, theirs)
    response = client.post(
        f"/sint-truiden/referrals/privacy/{route}",
        data={"referral_id": [str(referral_id)], "language": "nl"},
    )
    assert response.status_code == 404
    assert "Mama van Amir" not in response.get_data(as_text=True)
    # and through the right network's address, without a role there: 403
    wrong = client.post(
        f"/beringen/referrals/privacy/{route}",
        data={"referral_id": [str(referral_id)], "language": "nl"},
    )
    assert wrong.status_code in (403, 404)
    assert _exports(app, cast) == []


@pytest.mark.parametrize("role", ["sender", "receiver", "municipality"])
def test_only_the_steward_makes_a_copy(app, cast, referral_id, role):  # noqa: F811
    client = client_of(app, cast["people"][role])
    for route in ("copy", "copy.pdf"):
        assert _copy(client, referral_id, "nl", route).status_code == 403
