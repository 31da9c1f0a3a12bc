"""The staff catalogue a page at a time by keyset (signed cursors in the links), and its filter
lists and total kept per version of the network's data."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from babel.dates import format_date

from saas.catalogue import browse
from saas.partners.models import Sector
from tests import catalogue_factories as cf
from tests import factories as f
from tests.test_catalogue import as_, cast_of

CAT = "/beringen/catalogue/"
LOST = "Die paginalink kon niet gelezen worden"  # the page speaks Dutch by default


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(browse, "PAGE_SIZE", 3)


def _offers(
    app, cast, titles: list[str], *, rrule: str = "", start: date = date(2027, 3, 1), **extra
) -> None:
    for title in titles:
        cf.offer(
            app,
            cast.net,
            cast.partners["owner"],
            title=title,
            location=cast.places["kolonie"],
            rrule=rrule,
            start=start,
            **extra,
        )


def _titles(body: str) -> list[str]:
    return re.findall(r'<h3 class="h5 mb-1"><a href="[^"]+">([^<]+)</a>', body)


def _link(body: str, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', body)
    return html.unescape(found.group(1)) if found else None


def _total(body: str) -> int:
    return int(re.search(r'<p role="status">(\d+) activit', body).group(1))


def _get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


KRING = [f"Kring {n}" for n in range(1, 8)]  # seven that match the search, in title order


def test_the_catalogue_pages_forward_and_back_by_keyset_keeping_the_filters(app, small_pages):
    cast = cast_of(app)
    _offers(app, cast, [*reversed(KRING), "Anders 1", "Zwemmen 2"])
    staff = as_(app, cast.people["owner"])

    first = _get(staff, f"{CAT}?q=kring")
    assert _titles(first) == KRING[:3]
    assert _total(first) == 7
    assert _link(first, "prev") is None
    second_url = _link(first, "next")
    assert "q=kring" in second_url and "after=" in second_url and "page=" not in second_url

    second = _get(staff, second_url)
    assert _titles(second) == KRING[3:6]
    last = _get(staff, _link(second, "next"))
    assert _titles(last) == KRING[6:]
    assert _link(last, "next") is None  # the last page has no "next"

    back = _get(staff, _link(last, "prev"))
    assert _titles(back) == KRING[3:6]
    again = _get(staff, _link(back, "prev"))
    assert _titles(again) == KRING[:3] and _link(again, "prev") is None


def test_a_page_between_shows_what_was_added_in_its_place(app, small_pages):
    cast = cast_of(app)
    _offers(app, cast, KRING)
    staff = as_(app, cast.people["owner"])
    second_url = _link(_get(staff, f"{CAT}?q=kring"), "next")
    _offers(app, cast, ["Kring 3b"])  # lands after the first page's last row
    assert _titles(_get(staff, second_url)) == ["Kring 3b", "Kring 4", "Kring 5"]


def test_an_old_numbered_page_link_leads_to_the_first_page_with_its_filters(app):
    cast = cast_of(app)
    staff = as_(app, cast.people["owner"])
    response = staff.get(f"{CAT}?page=2&q=kring&free=1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/beringen/catalogue/?q=kring&free=1")
    assert staff.get(f"{CAT}?page=1").status_code == 302


@pytest.mark.parametrize(
    "query",
    [
        "after=garbage",
        "before=garbage",
        "after=",
        "after=W10",
        "after=%C3%A9+%22x%22",
        "after=TAMPERED",
        "before=TAMPERED&after=TAMPERED",
        "after=WRONG_SHAPE",
    ],
)
def test_a_malformed_or_tampered_cursor_shows_the_first_page_with_a_note(app, small_pages, query):
    cast = cast_of(app)
    _offers(app, cast, KRING)
    staff = as_(app, cast.people["owner"])
    first = _get(staff, f"{CAT}?q=kring")
    token = _link(first, "next").split("after=")[1].split("&")[0]
    with app.test_request_context(), _scope(cast):
        wrong_shape = browse._serializer().dumps(["1", ["x"], "y"])
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    url = f"{CAT}?q=kring&" + query.replace("TAMPERED", tampered).replace(
        "WRONG_SHAPE", wrong_shape
    )
    with f.counting(app) as statements:
        body = _get(staff, url)
    assert LOST in body
    assert _titles(body) == KRING[:3]
    assert not any(
        s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        for s in statements
        if "login_sessions" not in s
    )


def _scope(cast):
    from tenants.context import network_scope

    return network_scope(cast.net.id)


def _lists_read(statements: list[str]) -> list[str]:
    flat = [" ".join(s.split()) for s in statements]
    marks = (
        "FROM offer_types WHERE",
        "SELECT locations.neighbourhood FROM locations",
        "FROM partners WHERE partners.state",
    )
    return [s for s in flat if any(m in s for m in marks)]


def test_the_filter_lists_and_total_are_read_once_per_version_of_the_data(app):
    cast = cast_of(app)
    _offers(app, cast, KRING[:2])
    staff = as_(app, cast.people["owner"])
    with f.counting(app) as first:
        body = _get(staff, CAT)
    assert len(_lists_read(first)) == 3 and "Sportdienst" in body
    with f.counting(app) as second:
        body = _get(staff, CAT)
    assert _lists_read(second) == []
    assert not any("count(" in s.lower() for s in second)
    assert "Sportdienst" in body and _total(body) == 2

    f.partner(app, cast.net, "Speelotheek De Tol", Sector.LEISURE)
    _offers(app, cast, ["Kring 9"])
    with f.counting(app) as after_change:
        body = _get(staff, CAT)
    assert len(_lists_read(after_change)) == 3
    assert ">Speelotheek De Tol</option>" in body and _total(body) == 3


def test_another_networks_offers_partners_and_cursors_never_show(app, small_pages):
    cast = cast_of(app)
    elsewhere = cast_of(app, "sint-truiden")
    _offers(app, cast, KRING)
    _offers(app, elsewhere, ["Kring 0 Sint-Truiden", "Kring 9 Sint-Truiden"])
    f.partner(app, elsewhere.net, "Enkel in Sint-Truiden")
    staff = as_(app, cast.people["owner"])
    theirs = as_(app, elsewhere.people["owner"])

    pages, url = [], f"{CAT}?q=kring"
    while url:
        body = _get(staff, url)
        pages.append(body)
        url = _link(body, "next")
    shown = [t for body in pages for t in _titles(body)]
    assert shown == KRING
    assert not any("Sint-Truiden" in t for t in shown)
    assert all("Enkel in Sint-Truiden" not in body for body in pages)

    # a cursor of Beringen's carried to Sint-Truiden reads as nothing there
    cursor = _link(pages[0], "next").split("after=")[1]
    body = _get(theirs, f"/sint-truiden/catalogue/?q=kring&after={cursor}")
    assert LOST in body
    assert _titles(body) == ["Kring 0 Sint-Truiden", "Kring 9 Sint-Truiden"]
    assert "Sportdienst" in body  # Sint-Truiden's own partner of that name (cast_of makes one)
    assert not any(t in body for t in KRING)


def test_the_families_page_renders_its_partners_once_per_version_and_only_its_own(app):
    cast = cast_of(app)
    elsewhere = cast_of(app, "sint-truiden")
    f.partner(app, elsewhere.net, "Enkel in Sint-Truiden")
    anonymous = app.test_client()
    first = _get(anonymous, "/beringen/")
    assert "Sportdienst" in first and "Enkel in Sint-Truiden" not in first
    with f.counting(app) as statements:
        other_choice = _get(anonymous, "/beringen/?age=3")  # another answer: rendered, not kept
    assert "Sportdienst" in other_choice
    assert _lists_read(statements) == []  # partners and neighbourhoods read from the cache

    f.partner(app, cast.net, "Speelotheek De Tol", Sector.LEISURE)
    assert "Speelotheek De Tol" in _get(anonymous, "/beringen/?age=3")
    theirs = _get(anonymous, "/sint-truiden/?age=3")
    assert "Enkel in Sint-Truiden" in theirs and "Speelotheek De Tol" not in theirs


def _reads_offers(statements: list[str]) -> bool:
    return any("FROM offers" in " ".join(s.split()) for s in statements)


def test_a_page_is_kept_per_version_of_the_data_and_a_change_shows_at_once(app, small_pages):
    cast = cast_of(app)
    _offers(app, cast, KRING[:2])
    staff = as_(app, cast.people["owner"])
    assert _titles(_get(staff, f"{CAT}?q=kring")) == KRING[:2]
    with f.counting(app) as again:
        body = _get(staff, f"{CAT}?q=kring")
    assert _titles(body) == KRING[:2] and not _reads_offers(again)
    colleague = as_(app, cast.people["co"])  # the same offers for every member: the kept page
    with f.counting(app) as theirs:
        assert _titles(_get(colleague, f"{CAT}?q=kring")) == KRING[:2]
    assert not _reads_offers(theirs)

    _offers(app, cast, ["Kring 0"])  # a committed change: the next request reads the new data
    assert _titles(_get(staff, f"{CAT}?q=kring")) == ["Kring 0", *KRING[:2]]
    assert _total(_get(colleague, f"{CAT}?q=kring")) == 3


def test_a_page_kept_for_a_steward_never_shows_a_member_the_hidden_offers(app):
    from tests.test_catalogue import post

    cast = cast_of(app)
    _offers(app, cast, ["Kring verborgen", "Kring zichtbaar"])
    steward = as_(app, cast.people["steward"])
    with app.app_context(), _scope(cast):
        from sqlalchemy import select

        from saas.catalogue.models import Offer
        from saas.extensions import db

        hidden_id = db.session.execute(
            select(Offer.id).where(Offer.title == "Kring verborgen")
        ).scalar_one()
    hide = f"{CAT}offers/{hidden_id}/hide"
    assert post(steward, hide, {"reason": "Foute leeftijd"}) == 302

    flagged = _get(steward, f"{CAT}?q=kring&lang=en")  # kept for stewards in English
    assert _titles(flagged) == ["Kring verborgen", "Kring zichtbaar"] and "Hidden" in flagged
    member = as_(app, cast.people["other"])
    shown = _get(member, f"{CAT}?q=kring&lang=en")
    assert _titles(shown) == ["Kring zichtbaar"] and "Hidden" not in shown
    assert _total(shown) == 1
    # and the other way round: the member's kept page is not the steward's
    assert _titles(_get(steward, f"{CAT}?q=kring&lang=en")) == [
        "Kring verborgen",
        "Kring zichtbaar",
    ]


def test_a_page_is_kept_per_language(app):
    cast = cast_of(app)
    _offers(app, cast, KRING[:2])
    staff = as_(app, cast.people["owner"])
    assert "2 activiteiten" in _get(staff, f"{CAT}?lang=nl")
    assert "2 activities" in _get(staff, f"{CAT}?lang=en")
    assert "2 activiteiten" in _get(staff, f"{CAT}?lang=nl")


def test_other_arguments_in_the_address_are_not_carried_into_page_links_nor_kept_apart(
    app, small_pages
):
    cast = cast_of(app)
    _offers(app, cast, KRING)
    staff = as_(app, cast.people["owner"])
    first = _get(staff, f"{CAT}?q=kring&utm_source=nieuwsbrief&free=")
    following = _link(first, "next")
    assert "utm_source" not in following and "free" not in following and "q=kring" in following
    with f.counting(app) as statements:
        again = _get(staff, f"{CAT}?q=kring&utm_source=iets-anders")
    assert _titles(again) == KRING[:3] and not _reads_offers(statements)
    assert "utm_source" not in _link(again, "next")  # (the language links keep the address)


def test_the_same_choice_in_two_networks_shows_each_its_own_page(app):
    cast = cast_of(app)
    elsewhere = cast_of(app, "sint-truiden")
    _offers(app, cast, KRING[:2])
    _offers(app, elsewhere, ["Kring in Sint-Truiden"])
    ours = as_(app, cast.people["owner"])
    theirs = as_(app, elsewhere.people["owner"])
    for _ in range(2):  # the second time both are kept
        assert _titles(_get(ours, f"{CAT}?q=kring")) == KRING[:2]
        assert _titles(_get(theirs, "/sint-truiden/catalogue/?q=kring")) == [
            "Kring in Sint-Truiden"
        ]


def _tomorrow(app, cast, titles: list[str], rrule: str = "") -> None:
    # held even when tomorrow is a public holiday (Christmas, New Year's Day), or the offer
    # would have no date at all on the day before one
    _offers(
        app,
        cast,
        titles,
        rrule=rrule,
        start=date.today() + timedelta(days=1),
        skip_public_holidays=False,
    )


def _reads_sessions(statements: list[str]) -> bool:
    return any("FROM sessions" in " ".join(s.split()) for s in statements)


def test_the_families_page_below_the_header_is_kept_for_signed_in_people_too(app):
    cast = cast_of(app)
    elsewhere = cast_of(app, "sint-truiden")
    _tomorrow(app, cast, ["Peuterturnen"])
    _tomorrow(app, elsewhere, ["Babyzwemmen in Sint-Truiden"])
    owner = as_(app, cast.people["owner"])
    first = _get(owner, "/beringen/")
    assert "Peuterturnen" in first and "Babyzwemmen" not in first
    with f.counting(app) as again:
        second = _get(owner, "/beringen/")
    assert "Peuterturnen" in second and not _reads_sessions(again)

    with app.app_context():
        from saas.accounts.models import User
        from saas.extensions import db

        db.session.get(User, cast.people["owner"].id).name = "Anna Peeters"
        db.session.get(User, cast.people["co"].id).name = "Bert Claes"
        db.session.commit()
    assert "Anna Peeters" in _get(owner, "/beringen/")
    colleague = as_(app, cast.people["co"])  # their own header around the same kept part
    theirs = _get(colleague, "/beringen/")
    assert "Bert Claes" in theirs and "Anna Peeters" not in theirs and "Peuterturnen" in theirs
    other_network = _get(as_(app, elsewhere.people["owner"]), "/sint-truiden/")
    assert "Babyzwemmen in Sint-Truiden" in other_network and "Peuterturnen" not in other_network

    _tomorrow(app, cast, ["Kleuterdans"])  # a change shows at once
    assert "Kleuterdans" in _get(owner, "/beringen/")


def test_the_families_page_kept_part_is_worked_out_again_the_next_day(app, monkeypatch):
    from datetime import timedelta

    import blueprints.public.views as public_views

    cast = cast_of(app)
    _tomorrow(app, cast, ["Peuterturnen"])
    owner = as_(app, cast.people["owner"])
    _get(owner, "/beringen/")
    with f.counting(app) as kept:
        _get(owner, "/beringen/")
    assert not _reads_sessions(kept)

    class Tomorrow(date):
        @classmethod
        def today(cls):
            return date.fromordinal(date.today().toordinal()) + timedelta(days=1)

    monkeypatch.setattr(public_views, "date", Tomorrow)
    with f.counting(app) as next_day:
        _get(owner, "/beringen/")
    assert _reads_sessions(next_day)


def test_the_families_page_links_keep_the_choice_and_the_language_only(app):
    cast = cast_of(app)
    # 7 activities every day from tomorrow: more than one page of sessions this week and next
    _tomorrow(app, cast, [f"Speelmoment {n}" for n in range(7)], rrule="FREQ=DAILY;COUNT=14")
    anonymous = app.test_client()
    body = _get(anonymous, "/beringen/?age=2&utm_source=nieuwsbrief&lang=en")
    following = _link(body, "next")
    assert following is not None
    assert "age=2" in following and "lang=en" in following and "utm_source" not in following
    assert "page=2" in following
    second = _get(anonymous, following)
    assert "Page 2 of" in second and _link(second, "prev") is not None


def test_a_family_that_came_in_another_language_stays_in_it_when_choosing(app):
    """The choice form sends `lang` along when the page was asked for with one (no cookie, as a
    family following a shared link); without it the form sends only the choice."""
    cast = cast_of(app)
    _tomorrow(app, cast, ["Speelmoment"])
    anonymous = app.test_client()

    def choice_form(path: str) -> str:
        body = _get(anonymous, path)
        return re.search(r'<form method="get"[^>]*role="search".*?</form>', body, re.S).group(0)

    assert '<input type="hidden" name="lang" value="en">' in choice_form("/beringen/?lang=en")
    chosen = _get(anonymous, "/beringen/?age=2&day=&neighbourhood=&lang=en")
    assert "Age of my child" in chosen  # the next page is in English, not the browser's language
    assert 'name="lang"' not in choice_form("/beringen/")


@pytest.mark.parametrize("language", ["nl", "en", "tr"])
def test_the_families_days_read_as_the_language_writes_them(app, language):
    """A day's heading starts with a capital and keeps the rest as the language writes it:
    "Friday, December 4, 2026", "4 Aralık 2026 Cuma" (not "december", "aralık cuma")."""
    cast = cast_of(app)
    _tomorrow(app, cast, ["Speelmoment"])
    body = _get(app.test_client(), f"/beringen/?lang={language}")
    heading = html.unescape(re.search(r'<h3 id="day-1"[^>]*>(.*?)</h3>', body, re.S).group(1))
    near = [date.today() + timedelta(days=n) for n in range(3)]  # the page's day is Brussels'
    written = [format_date(day, "full", locale=language) for day in near]
    assert heading in [text[:1].upper() + text[1:] for text in written], heading
