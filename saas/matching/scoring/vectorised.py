"""The vectorised version: arrays, a block of questions at a time."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from saas.matching.scoring.features import (
    BAND_CODES,
    BANDS,
    FIT,
    SCALE,
    TIMES,
    W_AGE,
    W_DAY,
    W_LANGUAGE,
    W_NEIGHBOURHOOD,
    W_THEMES,
    W_TIME,
    WEEKDAYS,
    OfferFeatures,
    Question,
    bands_covered,
    time_of_day,
)
from saas.matching.scoring.reference import offer_points

# Per block of questions, a float32 (questions × offers) array of points is built from
#   - a row per mask of asked age bands (16 rows, computed once per offer set): the offer's own
#     points plus the age points (in thousands, as all the fit), or the gate;
#   - the four yes/no fits (day, time, neighbourhood, language) as bit tests, summed in uint8
#     in units of their greatest common divisor, then added once;
#   - the theme Jaccard on the (sparse) pairs that share a theme, through an inverted index;
# and the top-k per row is found without sorting the rows (see `_top_rows`).

_GATED_POINTS = np.float32(-(2**30))  # reference.GATED in the vectorised points (exact in float32)
_GATED_BELOW = -(2**29)  # any sum below this is a gated pair
BLOCK = 64  # offers per block in the top-k search

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
    age_start = np.zeros(padded, np.int64)  # the offer's ages in months: [start, end)
    age_end = np.zeros(padded, np.int64)
    days = np.zeros(padded, np.uint8)
    tod = np.zeros(padded, np.uint8)
    place = np.full(padded, -1, np.int32)
    langs = np.zeros((words, padded), word)
    theme_count = np.zeros(padded, np.int32)
    by_theme: list[list[int]] = [[] for _ in theme_index]
    for j, o in enumerate(offers):
        own[j] = offer_points(o)
        own_age[j] = _mask(bands_covered(o.age_min_months, o.age_max_months), BAND_CODES)
        age_start[j], age_end[j] = o.age_min_months, o.age_max_months + 1
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
        covered = own_age & np.uint8(asked)
        shared = np.zeros(padded, np.int64)
        asked_months = 0
        for bit, (_code, low, high) in enumerate(BANDS):
            if asked & (1 << bit):
                asked_months += high - low
                shared += np.maximum(0, np.minimum(high, age_end) - np.maximum(low, age_start))
        together = np.maximum(1, asked_months + np.maximum(0, age_end - age_start) - shared)
        row = own + (FIT * (W_AGE * shared // together)).astype(np.float32)
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
            jaccard = (FIT * (W_THEMES * shared // union)).astype(np.float32)
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
