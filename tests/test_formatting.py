"""Numbers, dates, percentages and codes as people read them, in the page's language (#19.7).

A steward in Beringen reads "70,6%" and "7,5 uur", never "70.6 %" or "7.5 h" beside "8 uur";
her English colleague reads "70.6%" and "7.5 hours". Age bands, statuses and weekdays read as
words of the language, never as codes ("3-6") or a verb in place of a status ("Openen").
"""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, time, timedelta
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from saas.catalogue.display import (
    age_band_label,
    age_range,
    age_sentence,
    daypart_label,
    moments_text,
    schedule_text,
)
from saas.catalogue.models import ActivitySession, Offer, SessionStatus
from saas.extensions import db
from saas.i18n import hours_text, number_text, percent_text, time_range_text
from saas.insights import export
from saas.insights.figures.trends import Trend
from saas.insights.suppression import Cell, Hidden
from saas.referrals.models import DeclineReason, Referral, Status
from saas.workforce.models import WorkerProfile
from tenants.context import network_scope
from tenants.models import Role
from tests import factories as f
from tests.confirm_support import confirmed
from tests.insights_fixture import at, build
from tests.test_referrals import cast, client_of, refer, the_referral  # noqa: F401 (fixture)
from tests.test_workforce import team  # noqa: F401 (fixture)

URL = "/beringen/municipality/"
YEAR = {"kind": "year", "year": "2025"}
POINT_DECIMAL = re.compile(r"\d\.\d")  # "19.0", "87.9", "7.5": an English number


def visible(page: str) -> str:
    """The text a person reads: tags, scripts and styles left out."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def fx(app):
    """The hand-computed network of tests/insights_fixture.py, with enough answered referrals in
    2025 for its rates to be shown (every count they rest on is 5 or more), a median answer time
    of 7.5 hours, and a salon session of an hour and a half (5.5 hours of social economy)."""
    fx = build(app)
    with app.app_context(), network_scope(fx.network.id):
        welzijn, school = fx.partners["welzijn"], fx.partners["school"]
        for k in range(7):  # 3 more accepted (5 in all), 4 more declined (5 in all)
            status = Status.ACCEPTED if k < 3 else Status.DECLINED
            sent = at(date(2025, 7, 1 + k), 10)
            db.session.add(
                Referral(
                    from_partner_id=welzijn,
                    to_partner_id=school,
                    status=status,
                    sent_at=sent,
                    responded_at=sent + timedelta(hours=7, minutes=30),
                    decline_reason=DeclineReason.NO_CAPACITY if k >= 3 else None,
                    family_label="x",
                    question="x",
                )
            )
        salon = db.session.query(Offer).filter_by(title="Oudersalon").one()
        start = at(date(2025, 3, 24))
        db.session.add(
            ActivitySession(
                offer_id=salon.id,
                occurrence="extra",
                starts_at=start,
                ends_at=start + timedelta(hours=1.5),
                status=SessionStatus.SCHEDULED,
            )
        )
        db.session.commit()
    return fx


@pytest.fixture
def viewer(app, client, fx):
    f.login(client, f.user(app, "beleid@beringen.example", (fx.network, Role.MUNICIPALITY_VIEWER)))
    return client


# -- the helpers every output uses -----------------------------------------------------------


@pytest.mark.parametrize(
    "language, number, percent, hours, one_hour",
    [
        ("nl", "19", "87,9%", "106,5 uur", "1 uur"),
        ("en", "19", "87.9%", "106.5 hours", "1 hour"),
        ("fr", "19", "87,9\u00a0%", None, None),
    ],
)
def test_a_number_a_percentage_and_hours_are_written_the_languages_way(
    app, language, number, percent, hours, one_hour
):
    with app.test_request_context(), force_locale(language):
        assert number_text(19.0) == number
        assert (
            number_text(1234.5)
            == {"nl": "1.234,5", "en": "1,234.5", "fr": "1\u202f234,5"}[language]
        )
        assert percent_text(87.93103) == percent
        assert percent_text(None) == "–"
        if hours:
            assert hours_text(106.54) == hours
            assert hours_text(1.0) == one_hour
        assert (
            time_range_text(time(8, 30), time(9, 30))
            == {
                "nl": "08:30–09:30",
                "en": "8:30\u2009–\u20099:30\u202fAM",
                "fr": "08:30\u2009–\u200909:30",
            }[language]
        )


def test_a_trend_writes_its_figures_and_change_with_their_unit(app):
    rate = Trend("Aanvaard", Cell(87.9, False), Cell(85.4, False), "percent")
    median = Trend("Mediaan", Cell(106.5, False), Cell(110.0, False), "hours")
    hidden = Trend("Volwassenen", Cell(3, hidden=Hidden.SMALL), Cell(19.0))
    with app.test_request_context(), force_locale("nl"):
        assert (rate.now_text, rate.before_text, rate.change_text) == ("87,9%", "85,4%", "+2,5%")
        assert (median.now_text, median.change_text) == ("106,5 uur", "-3,5 uur")
        assert (hidden.now_text, hidden.before_text, hidden.change_text) == ("< 5", "19", "–")


# -- the dashboard, its CSV and its PDF ------------------------------------------------------


def test_the_dutch_dashboard_writes_decimal_commas_percentages_and_hours_one_way(viewer):
    page = visible(viewer.get(URL, query_string={**YEAR, "lang": "nl"}).get_data(as_text=True))
    assert "Aanvaard (van de beantwoorde): 70,6%" in page
    assert "58,3%" in page  # completed, of those accepted
    # the tile, the sentence and the trend table say the median the same way
    assert page.count("7,5 uur") >= 3
    assert "Uren activiteit: 5,5" in page
    assert not POINT_DECIMAL.search(page), POINT_DECIMAL.search(page)
    assert "Kinderen van 3 tot 6 jaar" in page and "3-6" not in page
    assert " uur " not in page.replace("7,5 uur", "")  # no other rounding ("8 uur") beside it


def test_the_english_dashboard_writes_points_and_hours_in_english(viewer):
    page = visible(viewer.get(URL, query_string={**YEAR, "lang": "en"}).get_data(as_text=True))
    assert "Accepted (of those answered): 70.6%" in page
    assert page.count("7.5 hours") >= 3
    assert "Hours of activity: 5.5" in page
    assert "Children 3 to 6 years" in page and "3-6" not in page
    assert "7.5 h\n" not in page and "7,5" not in page


@pytest.mark.parametrize("language, hours", [("nl", "5,5"), ("en", "5.5")])
def test_the_csv_for_a_spreadsheet_writes_numbers_as_the_page_does(viewer, language, hours):
    response = viewer.get(
        URL + "export.csv", query_string={**YEAR, "table": "social_economy", "lang": language}
    )
    text = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    salon = rows[1]
    assert salon[1:3] == ["3", hours]  # three sessions held, five and a half hours
    assert not any(cell.endswith(".0") for row in rows for cell in row)


def test_the_pdf_report_writes_dutch_figures(app, viewer, monkeypatch):
    written: list[str] = []
    latin = export._latin

    def recording(text: str) -> str:
        written.append(text)
        return latin(text)

    monkeypatch.setattr(export, "_latin", recording)
    response = viewer.get(URL + "report.pdf", query_string={**YEAR, "lang": "nl"})
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = "\n".join(written)
    assert "Aanvaard: 70,6%" in text and "7,5 uur" in text
    assert "58,3%" in text
    assert not POINT_DECIMAL.search(text), POINT_DECIMAL.search(text)
    assert "Kinderen van 3 tot 6 jaar" in text and "3-6" not in text


# -- words instead of codes, and plurals -----------------------------------------------------


def test_the_status_filter_says_open_and_the_dashboard_buttons_say_openen(app, cast):  # noqa: F811
    sender = client_of(app, cast["people"]["sender"])
    refer(sender, cast)
    inbox = visible(sender.get("/beringen/referrals/?box=out&lang=nl").get_data(as_text=True))
    assert re.search(r"\bAlle\s+Open\b", inbox), "the status filter reads 'Open'"
    assert "Openen" not in inbox
    dashboard = visible(sender.get("/beringen/dashboard?lang=nl").get_data(as_text=True))
    assert "Openen" in dashboard  # the buttons that open a part of Dorp stay a verb


def test_a_referral_shows_the_childrens_ages_in_words(app, cast):  # noqa: F811
    sender = client_of(app, cast["people"]["sender"])
    refer(sender, cast, age_bands=["0-3", "3-6"])
    referral_id = the_referral(app, cast).id
    for language, words in (("nl", "0 tot 3 jaar, 3 tot 6 jaar"), ("en", "0 to 3 years, 3 to 6")):
        page = sender.get(f"/beringen/referrals/{referral_id}?lang={language}")
        text = visible(page.get_data(as_text=True))
        assert words in text
        assert not re.search(r"\b0-3\b|\b3-6\b", text)


def test_removing_one_familys_data_says_one_referral(app, cast):  # noqa: F811
    refer(client_of(app, cast["people"]["sender"]), cast)
    referral_id = the_referral(app, cast).id
    steward = client_of(app, cast["people"]["steward"])
    done = confirmed(
        steward, "/beringen/referrals/privacy/erase?lang=nl", {"referral_id": [str(referral_id)]}
    )
    assert done.status_code == 302
    page = visible(steward.get(done.headers["Location"]).get_data(as_text=True))
    assert "uit 1 doorverwijzing verwijderd" in page
    assert "1 doorverwijzingen" not in page


@pytest.mark.parametrize(
    "language, weekly, two_days, monthly",
    [
        (
            "nl",
            "Elke vrijdag, 09:30–11:00, tot ",
            "Elke maandag en vrijdag,",
            "Elke maand op een vrijdag",
        ),
        (
            "en",
            "Every Friday, 9:30\u2009–\u200911:00\u202fAM, until ",  # Babel's English times
            "Every Monday and Friday,",
            "Every month on a Friday",
        ),
    ],
)
def test_a_schedule_names_its_weekday_as_the_sentence_does(
    app, language, weekly, two_days, monthly
):
    friday = date(2026, 12, 4)

    def offer(rule: str):
        return SimpleNamespace(
            rrule=rule, start_date=friday, start_time=time(9, 30), end_time=time(11)
        )

    with app.test_request_context(), force_locale(language):
        assert schedule_text(offer("FREQ=WEEKLY;BYDAY=FR;UNTIL=20270625")).startswith(weekly)
        assert schedule_text(offer("FREQ=WEEKLY;BYDAY=MO,FR;UNTIL=20270625")).startswith(two_days)
        assert schedule_text(offer("FREQ=MONTHLY;BYDAY=1FR;UNTIL=20270625")).startswith(monthly)
        if language == "nl":
            assert moments_text(["TH", "WE"], ["morning"]).startswith("Woensdag en donderdag ·")
            assert (age_band_label("3-6"), daypart_label("morning")) == (
                "3 tot 6 jaar",
                "Voormiddag",
            )


@pytest.mark.parametrize("worker_language, name", [("nl", "mijn rooster"), ("en", "my roster")])
def test_the_roster_feed_is_named_in_the_workers_language(
    app,
    client,
    team,  # noqa: F811
    worker_language,
    name,
):
    with app.app_context(), network_scope(team.network.id):
        worker = db.session.get(WorkerProfile, team.worker_id)
        worker.user.language = worker_language
        token = worker.feed_token
        db.session.commit()
    other = "en" if worker_language == "nl" else "nl"  # the calendar app's own language
    body = client.get(
        f"/beringen/team/feed/{token}.ics", headers={"Accept-Language": other}
    ).get_data(as_text=True)
    assert f"X-WR-CALNAME:{team.network.name}: {name}" in body.replace("\r\n ", "")


@pytest.mark.parametrize(
    ("say", "language", "low", "high", "words"),
    [
        (age_range, "nl", 0, 12, "Tot 1 jaar"),  # never "0 jaar tot 1 jaar"
        (age_range, "nl", 0, 47, "Tot 3 jaar"),
        (age_range, "nl", 0, 35, "Jonger dan 3 jaar"),  # a consultation bureau's "0 tot 3 jaar"
        (age_range, "en", 0, 11, "Under 1 year"),
        (age_range, "tr", 0, 35, "3 yaş altı"),
        (age_range, "nl", 12, 35, "1 jaar tot 35 maanden"),
        (age_range, "en", 0, 18, "Up to 18 months"),
        (age_range, "fr", 0, 12, "Jusqu'à 1 an"),
        (age_range, "nl", 12, 47, "1 jaar tot 3 jaar"),
        (age_range, "nl", 0, 216, "Alle leeftijden"),
        (age_range, "nl", 36, 216, "Vanaf 3 jaar"),
        # in a sentence, on the activity page
        (age_sentence, "nl", 0, 35, "Voor kinderen jonger dan 3 jaar"),
        (age_sentence, "en", 0, 35, "For children under 3 years"),
        (age_sentence, "tr", 0, 35, "3 yaş altı çocuklar için"),
        (age_sentence, "tr", 0, 83, "6 yaş ve altı çocuklar için"),  # once "6 yaş yaşına kadar"
        (age_sentence, "fr", 0, 83, "Pour les enfants jusqu'à 6 ans"),
        (age_sentence, "nl", 18, 47, "Voor kinderen van 18 maanden tot 3 jaar"),
    ],
)
def test_ages_read_as_a_family_says_them(app, say, language, low, high, words):
    offer = SimpleNamespace(age_min_months=low, age_max_months=high)
    with app.test_request_context(), force_locale(language):
        assert say(offer) == words
