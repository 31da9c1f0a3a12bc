"""Simple pictures for what an activity is, for parents who read little Dutch: each offer type,
action line and the commonest themes point at one pictogram of `static/pictograms.svg`. A
pictogram is always shown with its word (in the page's language), never instead of it."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from saas.catalogue.models import ActionLine

# the symbols in static/pictograms.svg (`#pict-<key>`) and the word shown beside each
LABELS = {
    "play": _l("Play"),
    "read": _l("Read aloud"),
    "move": _l("Sports and movement"),
    "language": _l("Language"),
    "talk": _l("Parent talk"),
    "baby": _l("Baby"),
    "create": _l("Drawing and crafts"),
    "music": _l("Music and dance"),
    "bike": _l("Cycling"),
    "outdoors": _l("Outdoors and trips"),
    "welcome": _l("Welcome and questions"),
    "home": _l("Home visit"),
    "school": _l("School"),
    "food": _l("Food"),
    "together": _l("Meeting others"),
    "child": _l("Your child grows"),
    "family": _l("Parents"),
    "cooperation": _l("Working together"),
    "activity": _l("Activity"),
}

# the default offer types (services.DEFAULT_TYPES); a type the steward adds gets "activity"
TYPES = {
    "voorschools_klasje": "school",
    "oudersalon_thematisch": "talk",
    "oudersalon": "talk",
    "babysalon": "baby",
    "vakantiesalon": "outdoors",
    "onthaalmoment": "welcome",
    "huisbezoek": "home",
    "fietsles": "bike",
    "atelier_sport": "move",
    "atelier_dans": "music",
    "atelier_taal": "language",
    "tekenacademie": "create",
    "verteltassen": "read",
    "uitstap": "outdoors",
    "spreekuur": "welcome",
}

ACTION_LINES = {
    ActionLine.CHILD_DEVELOPMENT: "child",
    ActionLine.PARENTING: "family",
    ActionLine.SOCIAL_INTEGRATION: "together",
    ActionLine.BROAD_LEARNING: "school",
    ActionLine.COOPERATION: "cooperation",
}

# themes are the partners' own Dutch words (lower case); the common ones have a picture
THEMES = {
    "spelen": "play",
    "spel": "play",
    "voorlezen": "read",
    "boeken": "read",
    "lezen": "read",
    "sport": "move",
    "bewegen": "move",
    "balsporten": "move",
    "taal": "language",
    "nederlands": "language",
    "meertaligheid": "language",
    "dans": "music",
    "muziek": "music",
    "zingen": "music",
    "knutselen": "create",
    "tekenen": "create",
    "schilderen": "create",
    "kunst": "create",
    "handwerk": "create",
    "koken": "food",
    "voeding": "food",
    "gezonde voeding": "food",
    "eten": "food",
    "buiten": "outdoors",
    "natuur": "outdoors",
    "uitstap": "outdoors",
    "fietsen": "bike",
    "ontmoeting": "together",
}


@dataclass(frozen=True)
class Pictogram:
    key: str

    @property
    def label(self) -> str:
        return str(LABELS[self.key])


def for_type(code: str) -> Pictogram:
    return Pictogram(TYPES.get(code, "activity"))


def what_you_do(offer, limit: int = 3) -> list[Pictogram]:
    """The offer's type first, then its themes' pictures, each once: what a parent will do."""
    keys = [TYPES.get(offer.type.code, "activity")] if offer.type else []
    for theme in offer.theme_list:
        key = THEMES.get(theme.strip())
        if key and key not in keys:
            keys.append(key)
    return [Pictogram(k) for k in keys[:limit]]


def for_action_lines(offer) -> list[Pictogram]:
    return [Pictogram(ACTION_LINES[line]) for line in offer.action_line_list]
