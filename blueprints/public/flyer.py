"""The flyer: a week or a month on paper, with the family's choices and a QR code back to them."""

from __future__ import annotations

from datetime import date, timedelta

import segno
from flask import current_app, g, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from markupsafe import Markup

from blueprints.conditional import public_cache
from blueprints.public.blueprint import bp
from saas.catalogue import flyer as paper
from saas.catalogue import listings, services
from saas.catalogue.display import weekday_in_sentence
from saas.partners.models import LANGUAGE_NAMES, SPOKEN_LANGUAGES


def qr_svg(url: str) -> Markup:
    """The link as a QR code drawn in SVG on the server (segno; no script, crisp on paper).
    Hidden from screen readers: the same link is printed beside it as text."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=4, border=4, svgclass="dorp-qr", lineclass=None, omitsize=True)
    return Markup(svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1))  # noqa: S704 (segno's own drawing: numbers only)


def chosen_in_words(choices: paper.FlyerChoices) -> list[str]:
    """What the family chose, as the flyer prints it under its title."""
    f, words = choices.filters, []
    if f.age_months is not None:
        years = f.age_months // 12
        words.append(ngettext("For a child of %(num)d year", "For a child of %(num)d years", years))
    if f.weekday is not None:
        words.append(_("Only on %(day)s", day=weekday_in_sentence(f.weekday)))
    if f.neighbourhood:
        words.append(_("In %(neighbourhood)s", neighbourhood=f.neighbourhood))
    if f.language:
        words.append(_("Language: %(language)s", language=LANGUAGE_NAMES[f.language]))
    return words


def _absolute(path: str) -> str:
    return current_app.config["BASE_URL"] + path


@bp.route("/flyer")
@public_cache
def flyer():
    """A week or a month on paper, for what the family chose on the families' page."""
    choices = paper.read_choices(request.args, date.today())
    found = paper.sessions(choices)
    language = str(get_locale())
    page_url = _absolute(url_for("public.home", **choices.page_args(), lang=language))
    step = timedelta(days=7) if choices.period == "week" else timedelta(days=1)
    args = choices.flyer_args()
    return render_template(
        "public/flyer.html",
        choices=choices,
        chosen=chosen_in_words(choices),
        days=paper.by_day(found) if choices.period == "week" else [],
        cards=paper.by_activity(found) if choices.period == "month" else [],
        empty=not found,
        page_url=page_url,
        qr=qr_svg(page_url),
        earlier=url_for("public.flyer", **{**args, "from": (choices.start - step).isoformat()}),
        later=url_for("public.flyer", **{**args, "from": choices.end.isoformat()}),
        everything=url_for("public.flyer", period=choices.period, **{"from": args["from"]}),
        places=services.locations(),
        schools=listings.flyer_partners(),
        neighbourhoods=services.neighbourhoods(),
        spoken=SPOKEN_LANGUAGES,
        language=language,
        network=g.network,
    )
