"""Matching at scale: 10,000 open questions against 5,000 offers.

    python -m bench.matching            (or `python -m bench`, which runs every benchmark)

Times the vectorised top-10 over the full set (after one warm-up), times the plain per-pair
reference on a small sample of questions against all offers and extrapolates, checks that both
give the same top-10 on that sample, and prints one line per figure.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from saas.matching.scoring.features import BAND_CODES, TIMES, WEEKDAYS, OfferFeatures, Question
from saas.matching.scoring.reference import top_k_reference
from saas.matching.scoring.vectorised import encode_offers, encode_questions, top_k_vectorised

QUESTIONS = 10_000
OFFERS = 5_000
SAMPLE = 20
K = 10
SEED = 20_270_301

THEMES = [f"theme-{i:02d}" for i in range(80)]
LANGUAGES = ["nl", "fr", "en", "de", "tr", "ar", "ber", "it", "pl", "ro"]
LANGUAGES += ["bg", "ru", "uk", "ps", "fa", "so", "ti", "es", "pt", "sq"]
NEIGHBOURHOODS = [f"wijk {i:02d}" for i in range(40)]
COSTS = ["free", "reduced", "amount"]


def _pick(rng: np.random.Generator, names: list[str], low: int, high: int) -> list[str]:
    count = int(rng.integers(low, high + 1))
    return [names[i] for i in rng.choice(len(names), size=count, replace=False)]


def make_questions(rng: np.random.Generator, n: int) -> list[Question]:
    return [
        Question.of(
            age_bands=_pick(rng, BAND_CODES, 0, 2),
            themes=_pick(rng, THEMES, 0, 3),
            languages=["nl", *_pick(rng, LANGUAGES, 0, 2)]
            if rng.random() < 0.6
            else _pick(rng, LANGUAGES, 1, 2),
            neighbourhood=NEIGHBOURHOODS[int(rng.integers(len(NEIGHBOURHOODS)))]
            if rng.random() < 0.8
            else "",
            days=_pick(rng, WEEKDAYS, 0, 3),
            times=_pick(rng, TIMES, 0, 2),
        )
        for _ in range(n)
    ]


def make_offers(rng: np.random.Generator, m: int) -> list[OfferFeatures]:
    offers = []
    for i in range(m):
        low = int(rng.integers(0, 150))
        capacity = None if rng.random() < 0.4 else int(rng.integers(5, 30))
        soon = int(rng.integers(0, 5))
        offers.append(
            OfferFeatures.of(
                id=i + 1,
                age_min_months=low,
                age_max_months=low + int(rng.integers(0, 100)),
                themes=_pick(rng, THEMES, 0, 4),
                languages=["nl", *_pick(rng, LANGUAGES, 0, 2)],
                neighbourhood=NEIGHBOURHOODS[int(rng.integers(len(NEIGHBOURHOODS)))],
                days=_pick(rng, WEEKDAYS, 1, 2),
                start_hour=int(rng.integers(8, 21)),
                cost_kind=COSTS[int(rng.integers(len(COSTS)))],
                capacity=capacity,
                sessions_soon=soon,
                seats_left=int(rng.integers(0, capacity + 1)) if capacity else None,
            )
        )
    return offers


def run(questions: int = QUESTIONS, offers: int = OFFERS, sample: int = SAMPLE) -> dict:
    rng = np.random.default_rng(SEED)
    qs = make_questions(rng, questions)
    os_ = make_offers(rng, offers)

    t = time.perf_counter()
    offer_matrix = encode_offers(os_)
    question_matrix = encode_questions(qs, offer_matrix)
    encode_s = time.perf_counter() - t

    top_k_vectorised(question_matrix.rows(0, min(1000, questions)), offer_matrix, K)  # warm-up
    t = time.perf_counter()
    fast = top_k_vectorised(question_matrix, offer_matrix, K)
    vector_s = time.perf_counter() - t

    picks = sorted(rng.choice(questions, size=min(sample, questions), replace=False).tolist())
    t = time.perf_counter()
    slow = top_k_reference([qs[i] for i in picks], os_, K)
    reference_per_q = (time.perf_counter() - t) / len(picks)

    fast_lists = fast.as_lists()
    agree = sum(fast_lists[i] == s for i, s in zip(picks, slow, strict=True))
    return {
        "questions": questions,
        "offers": offers,
        "encode_s": encode_s,
        "vector_s": vector_s,
        "reference_per_q": reference_per_q,
        "reference_full_s": reference_per_q * questions,
        "speedup": reference_per_q * questions / vector_s,
        "agree": agree,
        "sample": len(picks),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _line(label: str, value: str, unit: str = "") -> None:
    print(f"{'matching':<10}{label:<60}{value:>9} {unit}".rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=QUESTIONS)
    parser.add_argument("--offers", type=int, default=OFFERS)
    parser.add_argument("--sample", type=int, default=SAMPLE)
    args = parser.parse_args(argv)
    r = run(args.questions, args.offers, args.sample)
    size = f"{r['questions']:,} questions × {r['offers']:,} offers"
    _line(f"encoding the features, {size}", f"{r['encode_s']:.3f}", "s")
    _line(f"vectorised top-{K}, {size}", f"{r['vector_s']:.3f}", "s")
    _line(f"reference, per question × {r['offers']:,} offers", f"{r['reference_per_q']:.4f}", "s")
    _line(f"reference extrapolated, {size}", f"{r['reference_full_s']:.1f}", "s")
    _line("speed-up, reference / vectorised", f"{r['speedup']:.0f}", "×")
    _line(f"same top-{K} on {r['sample']} sampled questions", f"{r['agree']}/{r['sample']}")
    _line("peak memory of the process", f"{r['peak_mb']:.0f}", "MB")
    return 0 if r["agree"] == r["sample"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
