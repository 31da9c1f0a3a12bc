"""Scoring a family's question against the network's offers: pure functions, no database.

The score of a (question, offer) pair is a whole number of points (at most 1000; shown as
points / 1000), the sum of:

    age        250 × (asked age bands the offer covers) / (asked age bands), floored.
               A GATE: when the family gave ages and the offer covers none of them, the offer
               is not suggested at all. No ages given: 0 for every offer.
    themes     250 × |asked ∩ offered| / |asked ∪ offered| (Jaccard), floored; 0 without themes.
    language   150 when the offer is held in at least one language the family speaks.
    place      100 when the offer's place is in the family's neighbourhood.
    day         60 when the offer runs on a day that suits the family.
    time        40 when it starts in a part of the day that suits the family
               (morning < 12:00 ≤ afternoon < 17:00 ≤ evening).
    cost        50 free, 25 reduced rate possible, 0 paid.
    seats       60 unlimited; 60 × seats left / capacity (floored) at the first session of the
               next four weeks that still has room; 30 when no session falls in those weeks
               (unknown); −200 when every session of the next four weeks is full.
    soon        40 when a session falls in the next four weeks.

Everything is an integer, so the plain per-pair implementation (`score_reference`) and the
vectorised one (`top_k_vectorised`) agree exactly; ties are broken by the offer's position in
the list (the services pass offers ordered by id), so both give the same top-10 in the same
order. The vectorised code adds the parts up in float32, which holds these integers exactly
(|points| < 2^24); the Jaccard division is done on integers, as in the reference.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from saas.catalogue.models import AGE_BANDS

# --- the vocabulary of the features ----------------------------------------------------------

BANDS = [(code, low, high) for code, low, high, _label in AGE_BANDS]
BAND_CODES = [code for code, _low, _high in BANDS]
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
TIMES = ["morning", "afternoon", "evening"]

W_AGE = 250
W_THEMES = 250
W_LANGUAGE = 150
W_NEIGHBOURHOOD = 100
W_DAY = 60
W_TIME = 40
W_FREE = 50
W_REDUCED = 25
W_SEATS = 60
W_SEATS_UNKNOWN = 30
FULL_PENALTY = -200
W_SOON = 40
SCALE = 1000

GATED = float("-inf")  # the reference score of a pair that is never suggested
_GATED_POINTS = np.float32(-(2**30))  # the same in the vectorised points (exact in float32)
_GATED_BELOW = -(2**29)  # any sum below this is a gated pair
BLOCK = 64  # offers per block in the top-k search


def _words(values: Iterable[str]) -> list[str]:
    return [v for v in values if v]


def norm_theme(theme: str) -> str:
    return " ".join(theme.strip().lower().split())


def norm_place(name: str) -> str:
    return " ".join((name or "").strip().casefold().split())


def time_of_day(hour: int) -> str:
    return "morning" if hour < 12 else "afternoon" if hour < 17 else "evening"


def bands_covered(age_min_months: int, age_max_months: int) -> frozenset[str]:
    """The age bands an offer's range touches (the catalogue's rule: max is inclusive)."""
    return frozenset(
        code for code, low, high in BANDS if age_min_months < high and age_max_months >= low
    )


def weekdays_of(rrule: str, start_date: date | None) -> frozenset[str]:
    """The weekdays an offer runs on: its rule's BYDAY, every day when daily, else the start."""
    rule = (rrule or "").upper()
    parts = dict(p.split("=", 1) for p in rule.split(";") if "=" in p)
    if "BYDAY" in parts:
        days = {d.strip()[-2:] for d in parts["BYDAY"].split(",")}
        return frozenset(d for d in days if d in WEEKDAYS)
    if parts.get("FREQ") == "DAILY":
        return frozenset(WEEKDAYS)
    return frozenset({WEEKDAYS[start_date.weekday()]}) if start_date else frozenset()


@dataclass(frozen=True)
class Question:
    """What the family asks for (already normalised: build it with `Question.of`)."""

    age_bands: frozenset[str] = frozenset()
    themes: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    neighbourhood: str = ""
    days: frozenset[str] = frozenset()
    times: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        *,
        age_bands: Iterable[str] = (),
        themes: Iterable[str] = (),
        languages: Iterable[str] = (),
        neighbourhood: str = "",
        days: Iterable[str] = (),
        times: Iterable[str] = (),
    ) -> Question:
        return cls(
            age_bands=frozenset(b for b in age_bands if b in BAND_CODES),
            themes=frozenset(_words(norm_theme(t) for t in themes)),
            languages=frozenset(_words(x.strip().lower() for x in languages)),
            neighbourhood=norm_place(neighbourhood),
            days=frozenset(d.strip().upper() for d in days if d.strip().upper() in WEEKDAYS),
            times=frozenset(t for t in times if t in TIMES),
        )


@dataclass(frozen=True)
class OfferFeatures:
    """What matters about an offer for matching (build it with `OfferFeatures.of`)."""

    id: int
    age_min_months: int = 0
    age_max_months: int = 216
    themes: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    neighbourhood: str = ""
    days: frozenset[str] = frozenset()
    start_hour: int = 9
    cost_kind: str = "free"
    capacity: int | None = None  # None: unlimited
    sessions_soon: int = 0  # sessions in the next four weeks
    seats_left: int | None = None  # at the first of them with room (0: all full)
    next_session_id: int | None = None
    partner_id: int | None = field(default=None, compare=False)

    @classmethod
    def of(
        cls,
        *,
        id: int,
        age_min_months: int = 0,
        age_max_months: int = 216,
        themes: Iterable[str] = (),
        languages: Iterable[str] = (),
        neighbourhood: str = "",
        days: Iterable[str] = (),
        start_hour: int = 9,
        cost_kind: str = "free",
        capacity: int | None = None,
        sessions_soon: int = 0,
        seats_left: int | None = None,
        next_session_id: int | None = None,
        partner_id: int | None = None,
    ) -> OfferFeatures:
        capacity = capacity if capacity is not None and capacity > 0 else None
        if capacity is None or sessions_soon <= 0:
            seats_left = None
        else:
            seats_left = max(0, min(capacity, seats_left if seats_left is not None else capacity))
        return cls(
            id=id,
            age_min_months=age_min_months,
            age_max_months=age_max_months,
            themes=frozenset(_words(norm_theme(t) for t in themes)),
            languages=frozenset(_words(x.strip().lower() for x in languages)),
            neighbourhood=norm_place(neighbourhood),
            days=frozenset(d for d in days if d in WEEKDAYS),
            start_hour=start_hour,
            cost_kind=cost_kind,
            capacity=capacity,
            sessions_soon=max(0, sessions_soon),
            seats_left=seats_left,
            next_session_id=next_session_id,
            partner_id=partner_id,
        )


# --- the reference: one pair at a time, in plain Python --------------------------------------


def offer_points(offer: OfferFeatures) -> int:
    """The part of the score that depends on the offer alone: cost, seats, soon."""
    points = (
        W_FREE if offer.cost_kind == "free" else W_REDUCED if offer.cost_kind == "reduced" else 0
    )
    if offer.capacity is None:
        points += W_SEATS
    elif offer.sessions_soon == 0:
        points += W_SEATS_UNKNOWN
    elif not offer.seats_left:
        points += FULL_PENALTY
    else:
        points += W_SEATS * offer.seats_left // offer.capacity
    if offer.sessions_soon:
        points += W_SOON
    return points


def points_reference(question: Question, offer: OfferFeatures) -> int | None:
    """The pair's points, or None when the age gate shuts the offer out."""
    points = 0
    if question.age_bands:
        covered = len(
            question.age_bands & bands_covered(offer.age_min_months, offer.age_max_months)
        )
        if covered == 0:
            return None
        points += W_AGE * covered // len(question.age_bands)
    if question.themes:
        shared = len(question.themes & offer.themes)
        points += W_THEMES * shared // len(question.themes | offer.themes)
    if question.languages & offer.languages:
        points += W_LANGUAGE
    if question.neighbourhood and question.neighbourhood == offer.neighbourhood:
        points += W_NEIGHBOURHOOD
    if question.days & offer.days:
        points += W_DAY
    if time_of_day(offer.start_hour) in question.times:
        points += W_TIME
    return points + offer_points(offer)


def score_reference(question: Question, offer: OfferFeatures) -> float:
    points = points_reference(question, offer)
    return GATED if points is None else points / SCALE


def top_k_reference(
    questions: Sequence[Question], offers: Sequence[OfferFeatures], k: int = 10
) -> list[list[tuple[int, float]]]:
    """For each question, the k best (offer id, score), best first; ties: earlier offer first."""
    result = []
    for question in questions:
        scored = []
        for index, offer in enumerate(offers):
            score = score_reference(question, offer)
            if score != GATED:
                scored.append((score, index))
        scored.sort(key=lambda pair: (-pair[0], pair[1]))
        result.append([(offers[i].id, score) for score, i in scored[:k]])
    return result


# --- why an offer is suggested: short reason codes, and a translated line ---------------------
#
# `explain` gives codes such as "age", "theme:sleep", "language:tr", "neighbourhood", "free",
# "day:MO", "time:morning", "seats", "soon". What is stored in Redis is only their kinds
# (`stored_codes`: "theme", "language", ... never the family's values); the page rebuilds the
# details from the referral it shows (`detail_codes`) and words them (`explanation`).

CODE_ORDER = [
    "age",
    "age_partly",
    "theme",
    "language",
    "neighbourhood",
    "free",
    "reduced",
    "day",
    "time",
    "seats",
    "full",
    "soon",
]
QUESTION_KINDS = {"age", "age_partly", "theme", "language", "neighbourhood", "day", "time"}
MAX_THEMES_SHOWN = 3
MAX_LANGUAGES_SHOWN = 2
MAX_DAYS_SHOWN = 3


def kind(code: str) -> str:
    return code.split(":", 1)[0]


def explain(question: Question, offer: OfferFeatures) -> list[str]:
    """The reasons an offer fits a question, as short codes in a fixed order."""
    codes: list[str] = []
    if question.age_bands:
        covered = question.age_bands & bands_covered(offer.age_min_months, offer.age_max_months)
        if covered == question.age_bands:
            codes.append("age")
        elif covered:
            codes.append("age_partly")
    codes += [f"theme:{t}" for t in sorted(question.themes & offer.themes)[:MAX_THEMES_SHOWN]]
    shared = sorted(question.languages & offer.languages, key=lambda c: (c == "nl", c))
    codes += [f"language:{c}" for c in shared[:MAX_LANGUAGES_SHOWN]]
    if question.neighbourhood and question.neighbourhood == offer.neighbourhood:
        codes.append("neighbourhood")
    if offer.cost_kind in ("free", "reduced"):
        codes.append(offer.cost_kind)
    days = [d for d in WEEKDAYS if d in question.days and d in offer.days]
    codes += [f"day:{d}" for d in days[:MAX_DAYS_SHOWN]]
    part = time_of_day(offer.start_hour)
    if part in question.times:
        codes.append(f"time:{part}")
    if offer.sessions_soon:
        if offer.capacity is None:
            codes.append("soon")
        else:
            codes.append("seats" if offer.seats_left else "full")
    return codes


def stored_codes(codes: Iterable[str]) -> list[str]:
    """The kinds of the codes, once each: what may be kept (no family values)."""
    kinds: list[str] = []
    for code in codes:
        if kind(code) not in kinds:
            kinds.append(kind(code))
    return kinds


def detail_codes(stored: Iterable[str], question: Question, offer: OfferFeatures) -> list[str]:
    """Stored kinds back to detailed codes, from the question and offer as they are now.

    The kinds about the question are re-derived (a kind that no longer holds is dropped); the
    kinds about the offer's cost and seats are kept as stored (they came from the sessions).
    """
    wanted = set(stored)
    fresh = [c for c in explain(question, offer) if kind(c) in QUESTION_KINDS & wanted]
    kept = [c for c in wanted if c not in QUESTION_KINDS and c in CODE_ORDER]
    return sorted(fresh + kept, key=lambda c: CODE_ORDER.index(kind(c)))


def _locale():
    from babel import Locale
    from flask_babel import get_locale

    return get_locale() or Locale.parse("en")


def _language_name(code: str, locale) -> str:
    from saas.partners.models import LANGUAGE_NAMES

    return locale.languages.get(code) or LANGUAGE_NAMES.get(code, code)


def explanation(codes: Sequence[str]) -> str:
    """One translated line: "Right age · speaks Turkish · same neighbourhood · free · on Monday
    mornings". Codes without their detail (see `detail_codes`) are left out."""
    from babel.dates import get_day_names
    from babel.lists import format_list
    from flask_babel import gettext as _

    locale = _locale()
    by_kind: dict[str, list[str]] = {}
    for code in codes:
        by_kind.setdefault(kind(code), []).append(code.split(":", 1)[1] if ":" in code else "")
    day_names = get_day_names("wide", locale=locale)
    days = [day_names[WEEKDAYS.index(d)] for d in by_kind.get("day", []) if d in WEEKDAYS]
    part = next((t for t in by_kind.get("time", []) if t in TIMES), "")
    parts: list[str] = []
    for name in CODE_ORDER:
        values = [v for v in by_kind.get(name, []) if v or name not in ("theme", "language")]
        if name not in by_kind or not values:
            continue
        if name == "age":
            parts.append(_("right age"))
        elif name == "age_partly":
            parts.append(_("suits some of the children's ages"))
        elif name == "theme":
            parts.append(_("about %(themes)s", themes=format_list(values, locale=locale)))
        elif name == "language":
            names = [_language_name(v, locale) for v in values]
            parts.append(_("speaks %(languages)s", languages=format_list(names, locale=locale)))
        elif name == "neighbourhood":
            parts.append(_("same neighbourhood"))
        elif name == "free":
            parts.append(_("free"))
        elif name == "reduced":
            parts.append(_("reduced rate possible"))
        elif name == "day" and days:
            listed = format_list(days, locale=locale)
            if part == "morning":
                parts.append(_("on %(days)s mornings", days=listed))
            elif part == "afternoon":
                parts.append(_("on %(days)s afternoons", days=listed))
            elif part == "evening":
                parts.append(_("on %(days)s evenings", days=listed))
            else:
                parts.append(_("on %(days)s", days=listed))
        elif name == "time" and part and not days:
            parts.append(
                {
                    "morning": _("in the morning"),
                    "afternoon": _("in the afternoon"),
                    "evening": _("in the evening"),
                }[part]
            )
        elif name == "seats":
            parts.append(_("places left"))
        elif name == "full":
            parts.append(_("full in the coming four weeks"))
        elif name == "soon":
            parts.append(_("a session in the coming four weeks"))
    line = " · ".join(parts)
    return line[:1].upper() + line[1:]


# --- the vectorised version: arrays, a block of questions at a time ---------------------------
#
# Per block of questions, a float32 (questions × offers) array of points is built from
#   - a row per mask of asked age bands (16 rows, computed once per offer set): the offer's own
#     points plus the age points, or the gate;
#   - the four yes/no fits (day, time, neighbourhood, language) as bit tests, summed in uint8
#     in units of their greatest common divisor, then added once;
#   - the theme Jaccard on the (sparse) pairs that share a theme, through an inverted index;
# and the top-k per row is found without sorting the rows (see `_top_rows`).

_YES_NO = (W_DAY, W_TIME, W_NEIGHBOURHOOD, W_LANGUAGE)
_UNIT = math.gcd(*_YES_NO)
assert sum(_YES_NO) // _UNIT < 256, "the yes/no points must fit a uint8 in units"


def _mask(values: Iterable[str], names: Sequence[str]) -> int:
    return sum(1 << names.index(v) for v in values if v in names)


def _word_type(size: int) -> type:
    for dtype in (np.uint8, np.uint16, np.uint32):
        if size <= np.iinfo(dtype).bits:
            return dtype
    return np.uint64


def _bitcount(value: int) -> int:
    return bin(value).count("1")


@dataclass
class OfferMatrix:
    """The offers as arrays, padded with never-suggested columns to a whole number of blocks."""

    ids: np.ndarray  # int64 (m,)
    size: int  # m
    base: np.ndarray  # float32 (16, padded): offer points + age points per mask of asked bands
    days: np.ndarray  # uint8 (padded,)
    time: np.ndarray  # uint8 (padded,): one bit (morning, afternoon, evening)
    neighbourhood: np.ndarray  # int32 (padded,): -1 none
    languages: np.ndarray  # (words, padded) bitmasks
    theme_ptr: np.ndarray  # int64 (vocabulary + 1,): offers of theme t are
    theme_offers: np.ndarray  # int64: theme_offers[theme_ptr[t]:theme_ptr[t + 1]]
    theme_count: np.ndarray  # int32 (padded,)
    theme_index: dict[str, int]
    language_index: dict[str, int]
    neighbourhood_index: dict[str, int]

    @property
    def padded(self) -> int:
        return len(self.days)


@dataclass
class QuestionMatrix:
    age: np.ndarray  # intp (n,): mask of asked bands, a row of OfferMatrix.base
    days: np.ndarray  # uint8 (n,)
    times: np.ndarray  # uint8 (n,)
    neighbourhood: np.ndarray  # int32 (n,): -2 none or unknown (never equal to an offer's)
    languages: np.ndarray  # (n, words) bitmasks
    theme_ptr: np.ndarray  # int64 (n + 1,): question i's known themes are
    theme_ids: np.ndarray  # int64: theme_ids[theme_ptr[i]:theme_ptr[i + 1]]
    theme_count: np.ndarray  # int32 (n,): all asked themes, known or not (for the union)

    def __len__(self) -> int:
        return len(self.age)

    def rows(self, start: int, stop: int) -> QuestionMatrix:
        low, high = self.theme_ptr[start], self.theme_ptr[stop]
        return QuestionMatrix(
            age=self.age[start:stop],
            days=self.days[start:stop],
            times=self.times[start:stop],
            neighbourhood=self.neighbourhood[start:stop],
            languages=self.languages[start:stop],
            theme_ptr=self.theme_ptr[start : stop + 1] - low,
            theme_ids=self.theme_ids[low:high],
            theme_count=self.theme_count[start:stop],
        )


def encode_offers(offers: Sequence[OfferFeatures]) -> OfferMatrix:
    m = len(offers)
    padded = max(BLOCK, -(-m // BLOCK) * BLOCK)
    theme_index: dict[str, int] = {}
    language_index: dict[str, int] = {}
    neighbourhood_index: dict[str, int] = {}
    for o in offers:
        for t in sorted(o.themes):
            theme_index.setdefault(t, len(theme_index))
        for lang in sorted(o.languages):
            language_index.setdefault(lang, len(language_index))
        if o.neighbourhood:
            neighbourhood_index.setdefault(o.neighbourhood, len(neighbourhood_index))
    word = _word_type(len(language_index))
    bits = np.iinfo(word).bits
    words = max(1, -(-len(language_index) // bits))

    own = np.zeros(padded, np.float32)
    own_age = np.zeros(padded, np.uint8)
    days = np.zeros(padded, np.uint8)
    tod = np.zeros(padded, np.uint8)
    place = np.full(padded, -1, np.int32)
    langs = np.zeros((words, padded), word)
    theme_count = np.zeros(padded, np.int32)
    by_theme: list[list[int]] = [[] for _ in theme_index]
    for j, o in enumerate(offers):
        own[j] = offer_points(o)
        own_age[j] = _mask(bands_covered(o.age_min_months, o.age_max_months), BAND_CODES)
        days[j] = _mask(o.days, WEEKDAYS)
        tod[j] = 1 << TIMES.index(time_of_day(o.start_hour))
        place[j] = neighbourhood_index.get(o.neighbourhood, -1)
        for lang in o.languages:
            i = language_index[lang]
            langs[i // bits, j] |= word(1 << (i % bits))
        for t in o.themes:
            by_theme[theme_index[t]].append(j)
        theme_count[j] = len(o.themes)

    # one row per mask of asked bands: the offer's own points plus the age points, or the gate
    base = np.empty((1 << len(BANDS), padded), np.float32)
    for asked in range(1 << len(BANDS)):
        if asked == 0:
            base[asked] = own
            continue
        covered = np.bitwise_count(own_age & np.uint8(asked)).astype(np.int64)
        row = own + (W_AGE * covered // _bitcount(asked)).astype(np.float32)
        base[asked] = np.where(covered > 0, row, _GATED_POINTS)
    base[:, m:] = _GATED_POINTS
    sizes = [len(js) for js in by_theme]
    return OfferMatrix(
        ids=np.array([o.id for o in offers], np.int64),
        size=m,
        base=base,
        days=days,
        time=tod,
        neighbourhood=place,
        languages=langs,
        theme_ptr=np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).astype(np.int64),
        theme_offers=np.array([j for js in by_theme for j in js], np.int64),
        theme_count=theme_count,
        theme_index=theme_index,
        language_index=language_index,
        neighbourhood_index=neighbourhood_index,
    )


def encode_questions(questions: Sequence[Question], offers: OfferMatrix) -> QuestionMatrix:
    n = len(questions)
    words, word = offers.languages.shape[0], offers.languages.dtype.type
    bits = np.iinfo(word).bits
    age = np.zeros(n, np.intp)
    days = np.zeros(n, np.uint8)
    times = np.zeros(n, np.uint8)
    place = np.full(n, -2, np.int32)
    langs = np.zeros((n, words), word)
    theme_ptr = np.zeros(n + 1, np.int64)
    theme_ids: list[int] = []
    theme_count = np.zeros(n, np.int32)
    for i, q in enumerate(questions):
        age[i] = _mask(q.age_bands, BAND_CODES)
        days[i] = _mask(q.days, WEEKDAYS)
        times[i] = _mask(q.times, TIMES)
        if q.neighbourhood:
            place[i] = offers.neighbourhood_index.get(q.neighbourhood, -2)
        for lang in q.languages:
            j = offers.language_index.get(lang)
            if j is not None:
                langs[i, j // bits] |= word(1 << (j % bits))
        theme_ids.extend(sorted(offers.theme_index[t] for t in q.themes if t in offers.theme_index))
        theme_ptr[i + 1] = len(theme_ids)
        theme_count[i] = len(q.themes)
    return QuestionMatrix(
        age=age,
        days=days,
        times=times,
        neighbourhood=place,
        languages=langs,
        theme_ptr=theme_ptr,
        theme_ids=np.array(theme_ids, np.int64),
        theme_count=theme_count,
    )


def _hit(question_bits: np.ndarray, offer_bits: np.ndarray) -> np.ndarray:
    return np.bitwise_and(question_bits[:, None], offer_bits[None, :]) != 0


def points_matrix(questions: QuestionMatrix, offers: OfferMatrix) -> np.ndarray:
    """float32 (n, padded): every pair's points; gated pairs and padding far below zero."""
    points = offers.base[questions.age]  # the offer's own points + age points (or the gate)

    # the yes/no fits, in units, as uint8: cheap bit tests, one conversion
    speaks = _hit(questions.languages[:, 0], offers.languages[0])
    for w in range(1, offers.languages.shape[0]):
        speaks |= _hit(questions.languages[:, w], offers.languages[w])
    small = speaks.view(np.uint8) * np.uint8(W_LANGUAGE // _UNIT)
    small += _hit(questions.days, offers.days).view(np.uint8) * np.uint8(W_DAY // _UNIT)
    small += _hit(questions.times, offers.time).view(np.uint8) * np.uint8(W_TIME // _UNIT)
    same_place = questions.neighbourhood[:, None] == offers.neighbourhood[None, :]
    small += same_place.view(np.uint8) * np.uint8(W_NEIGHBOURHOOD // _UNIT)
    extra = small.astype(np.float32)
    if _UNIT != 1:
        extra *= np.float32(_UNIT)
    points += extra

    # themes: only the pairs that share one, found through the offers of each asked theme
    if len(questions.theme_ids) and len(offers.theme_offers):
        asked = questions.theme_ids
        row = np.repeat(np.arange(len(questions)), np.diff(questions.theme_ptr))
        low, high = offers.theme_ptr[asked], offers.theme_ptr[asked + 1]
        lengths = high - low
        total = int(lengths.sum())
        if total:
            rows = np.repeat(row, lengths)
            first = np.cumsum(lengths) - lengths
            cols = offers.theme_offers[np.repeat(low - first, lengths) + np.arange(total)]
            flat = rows * offers.padded + cols
            counts = np.bincount(flat, minlength=points.size)
            shared = counts[flat]
            union = questions.theme_count[rows] + offers.theme_count[cols] - shared
            jaccard = (W_THEMES * shared // union).astype(np.float32)
            view = points.reshape(-1)
            view[flat] = view[flat] + jaccard  # repeated pairs write the same value
    return points


@dataclass
class TopK:
    """The best offers per question: offer ids (−1 where fewer qualify) and points, best first."""

    ids: np.ndarray  # int64 (n, k)
    points: np.ndarray  # int32 (n, k)

    def as_lists(self) -> list[list[tuple[int, float]]]:
        return [
            [(int(i), int(p) / SCALE) for i, p in zip(ids, pts, strict=True) if i >= 0]
            for ids, pts in zip(self.ids, self.points, strict=True)
        ]


def _top_rows(points: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Column and points of each row's k best entries, best first (ties: lower column first).

    The columns are split into BLOCK-sized groups (column j*groups + g belongs to group g). The
    k-th largest group maximum bounds the row's k-th largest entry from below (k groups each
    hold an entry at least that large), so only the groups reaching it are looked into.
    """
    n, padded = points.shape
    groups = padded // BLOCK
    cols = np.full((n, k), -1, np.int64)
    best = np.zeros((n, k), np.int32)
    if n == 0 or k == 0:
        return cols, best
    grouped = points.reshape(n, BLOCK, groups)
    group_max = grouped.max(axis=1)
    if groups >= k:
        floor = np.partition(group_max, groups - k, axis=1)[:, groups - k]
        floor = np.maximum(floor, np.float32(_GATED_BELOW))
    else:
        floor = np.full(n, _GATED_BELOW, np.float32)
    row, group = np.nonzero(group_max >= floor[:, None])
    values = grouped[row, :, group]  # (selected groups, BLOCK)
    sel, j = np.nonzero(values >= floor[row][:, None])
    rows = row[sel]
    columns = j.astype(np.int64) * groups + group[sel]
    values = values[sel, j]
    order = np.lexsort((columns, -values, rows))
    rows, columns, values = rows[order], columns[order], values[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows)
    keep = rank < k
    cols[rows[keep], rank[keep]] = columns[keep]
    best[rows[keep], rank[keep]] = values[keep].astype(np.int32)
    return cols, best


def top_k_vectorised(
    questions: QuestionMatrix, offers: OfferMatrix, k: int = 10, chunk: int = 512
) -> TopK:
    """The same top-k as `top_k_reference`, `chunk` questions at a time (float32 arrays of
    chunk × offers stay small enough for the processor's cache)."""
    n = len(questions)
    ids = np.full((n, k), -1, np.int64)
    points = np.zeros((n, k), np.int32)
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        cols, best = _top_rows(points_matrix(questions.rows(start, stop), offers), k)
        found = cols >= 0
        if offers.size:
            ids[start:stop] = np.where(found, offers.ids[np.where(found, cols, 0)], -1)
        points[start:stop] = best
    return TopK(ids=ids, points=points)
