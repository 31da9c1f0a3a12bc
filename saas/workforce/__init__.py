"""The social-economy workforce: the team, flexibility cards, demand, fixed contacts, rosters.

The operations change and flush; the request commits: `staff` (the workers, the team's slots),
`cards`, `demand`, `contacts` (schools' fixed contacts), `rosters` (create, build the solver's
instance, store a solve, publish, coverage) and `assignments` (by hand, locks, a worker's own);
a change they refuse raises `errors.WorkforceError`. Plain data in and out: `solver` (CP-SAT),
`matching` (workers for a school's wish) and `geo`; `calendar` is a worker's iCalendar feed.
"""
