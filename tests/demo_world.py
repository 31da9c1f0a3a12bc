"""Both demo networks, seeded twice, built once per test process (see tests/snapshots.py).

Seeding the demo takes seconds; seven tests look at it from their own feature's side. They carry
`@pytest.mark.demo_world`, and conftest runs them first, so that one test process seeds it. Each
gets the rows the real `seed()` left behind after its first and its second run, and the two
summaries: the first says what was added, the second that seeding again added nothing.
"""

from __future__ import annotations

from tests.snapshots import built_once


@built_once
def seeded_twice(app) -> tuple[dict, dict]:
    from saas.demo import seed

    with app.app_context():
        first = seed()
        second = seed()
    return first, second
