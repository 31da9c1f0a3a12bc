"""The reference: one pair at a time, in plain Python."""

from __future__ import annotations

from collections.abc import Sequence

from saas.matching.scoring.features import (
    FIT,
    FULL_PENALTY,
    SCALE,
    W_AGE,
    W_DAY,
    W_FREE,
    W_LANGUAGE,
    W_NEIGHBOURHOOD,
    W_REDUCED,
    W_SEATS,
    W_SEATS_UNKNOWN,
    W_SOON,
    W_THEMES,
    W_TIME,
    OfferFeatures,
    Question,
    age_overlap,
    bands_covered,
    time_of_day,
)

GATED = float("-inf")  # the reference score of a pair that is never suggested


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


def fit_points(question: Question, offer: OfferFeatures) -> int | None:
    """How well the offer fits the question's children and themes (0 to 500), or None when
    the age gate shuts the offer out. Both are overlaps (Jaccard): of the months of age asked
    and offered, so that an offer for just the children's age beats one open to every age,
    and of the themes."""
    points = 0
    if question.age_bands:
        covered = question.age_bands & bands_covered(offer.age_min_months, offer.age_max_months)
        if not covered:
            return None
        shared, together = age_overlap(
            question.age_bands, offer.age_min_months, offer.age_max_months
        )
        points += W_AGE * shared // together
    if question.themes:
        shared = len(question.themes & offer.themes)
        points += W_THEMES * shared // len(question.themes | offer.themes)
    return points


def points_reference(question: Question, offer: OfferFeatures) -> int | None:
    """The pair's points (the fit in thousands, then the rest), or None when the age gate
    shuts the offer out."""
    fit = fit_points(question, offer)
    if fit is None:
        return None
    points = FIT * fit
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
