"""The social-economy workforce: the team, flexibility cards, demand, schools, rosters.

The operations change and flush, and write their audit rows; the request commits: `staff` (the
team's members, the workers and their profiles, the team's slots), `cards`, `demand`, `schools`
(the partners the team works for, their wishes), `contacts` (schools' fixed contacts),
`rosters` (create and ask for a solve through `solving`, build the solver's instance, store a
solve, publish, coverage) and `assignments` (by hand, taken off, locks, a worker's own); a change
they refuse raises `errors.WorkforceError`. `salons` reads the team's parent salons. Plain data
in and out: `solver` (CP-SAT), `matching` (workers for a school's wish) and `geo`; `calendar` is
a worker's iCalendar feed.
"""
