"""Scoring a family's question against the network's offers: pure functions, no database.

The question's children and themes come before anything else. A (question, offer) pair's
points are `FIT × fit + rest` (FIT = 1000), shown as points / 1 000 000, where

  fit (0 to 500), the sum of
    age        250 × months shared / months together, floored: the months of age of the
               asked bands and of the offer's range (max inclusive), a Jaccard overlap, so an
               offer for just the children's age beats one open to every age.
               A GATE: when the family gave ages and the offer covers none of them, the offer
               is not suggested at all. No ages given: 0 for every offer.
    themes     250 × |asked ∩ offered| / |asked ∪ offered| (Jaccard), floored; 0 without themes.
               The asked themes are the referral's, and the offers' themes its question names.

  rest (−200 to 500, so never worth one point of fit), the sum of
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
(|points| ≤ 500 500 < 2^24); the Jaccard division is done on integers, as in the reference.

The modules: `features` (the vocabulary, the weights above, `Question` and `OfferFeatures`),
`reference` (one pair at a time, in plain Python), `vectorised` (arrays, a block of questions at
a time) and `reasons` (why an offer is suggested, in short codes and in words).
"""
