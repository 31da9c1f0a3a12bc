"""The health figures' cache: served without SQL, never older than the last change but one (and
only while new figures are being worked out), one network's never another's."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis
from sqlalchemy import event, select

from saas.catalogue.models import ActivitySession, Headcount, Offer, SessionStatus
from saas.extensions import cache as flask_cache
from saas.extensions import db
from saas.insights import cache
from saas.insights.period import Period
from saas.referrals.models import Referral, Status
from tenants.context import network_scope
from tenants.models import Role
from tests import factories as f
from tests.insights_fixture import build

YEAR = Period("year", 2025)


@pytest.fixture
def fx(app):
    return build(app)


class Statements:
    def __init__(self, app):
        self.seen: list[str] = []
        with app.app_context():
            self.engine = db.engine

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, conn, cursor, statement, *args):
        if "set_config" not in statement:  # the row-level-security hook of each transaction
            self.seen.append(statement)


def _health(app, network_id, lang="en"):
    with app.test_request_context(f"/?lang={lang}"), network_scope(network_id):
        return cache.health(YEAR)


_added = iter(range(1, 1_000_000))


def _add_held_session(app, network_id, *, adults: int) -> None:
    with app.app_context(), network_scope(network_id):
        offer_id = db.session.execute(select(Offer.id).limit(1)).scalar_one()
        start = datetime(2025, 11, 5, 9, tzinfo=UTC)
        session = ActivitySession(
            offer_id=offer_id,
            occurrence=f"extra-20251105-{next(_added)}",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            status=SessionStatus.SCHEDULED,
        )
        db.session.add(session)
        db.session.flush()
        db.session.add(Headcount(session_id=session.id, adults=adults))
        db.session.commit()


def test_a_second_read_sends_no_sql_and_gives_the_same_figures(app, fx):
    first = _health(app, fx.network.id)
    with Statements(app) as sql:
        again = _health(app, fx.network.id)
    assert sql.seen == []
    assert again.reach.sessions_held == first.reach.sessions_held == 4
    assert again.tables().keys() == first.tables().keys()
    assert [c.text for c in again.referrals.by_state.totals] == [
        c.text for c in first.referrals.by_state.totals
    ]


def test_a_new_headcount_shows_once_the_job_has_run(app, fx, run_jobs):
    before = _health(app, fx.network.id)
    _add_held_session(app, fx.network.id, adults=9)
    with Statements(app) as sql:
        meanwhile = _health(app, fx.network.id)
    assert sql.seen == [] and meanwhile.computed_at == before.computed_at
    run_jobs()
    after = _health(app, fx.network.id)
    assert after.reach.sessions_held == before.reach.sessions_held + 1
    assert after.reach.by_type.totals[1].value == before.reach.by_type.totals[1].value + 9


def test_a_changed_referral_shows_once_the_job_has_run(app, fx, run_jobs):
    before = _health(app, fx.network.id)
    with app.app_context(), network_scope(fx.network.id):
        referral = db.session.execute(
            select(Referral).where(Referral.status == Status.SENT).limit(1)
        ).scalar_one()
        referral.status = Status.CANCELLED
        db.session.commit()
    run_jobs()
    after = _health(app, fx.network.id)
    assert after.computed_at > before.computed_at
    waiting = after.referrals.by_state.row_labels.index("Waiting for an answer")
    cancelled = after.referrals.by_state.row_labels.index("Cancelled by the sender")
    assert (
        after.referrals.by_state.body[cancelled][0].value
        == before.referrals.by_state.body[cancelled][0].value + 1
    )
    assert (
        after.referrals.by_state.body[waiting][0].value
        == before.referrals.by_state.body[waiting][0].value - 1
    )


def _working(app, network_id, lang="en") -> str:
    """The lock a request holds while it works out the current figures (the cache's own key)."""
    with app.app_context():
        version = flask_cache.get(f"health-version:{network_id}") or 0
    return f"health:{network_id}:{version}:{YEAR.code}:{lang}:working"


def test_after_a_change_requests_show_the_last_figures_and_never_work_them_out(app, fx):
    """After the first view, no request works the figures out: they get the last ones (no SQL)
    while the job is planned; only a first view (here: the first in Dutch) waits for them."""
    assert _health(app, fx.network.id).reach.sessions_held == 4
    for adults in (2, 3, 4):
        _add_held_session(app, fx.network.id, adults=adults)
        with Statements(app) as sql:
            for _ in range(3):
                assert _health(app, fx.network.id).reach.sessions_held == 4
        assert sql.seen == []
    assert _health(app, fx.network.id, lang="nl").reach.sessions_held == 7


def _refresh_jobs(app) -> tuple[int, int]:
    """The figures jobs waiting in the queue, and those scheduled for later."""
    from rq.job import Job

    from saas.connections import redis_connection
    from workers.queues import MAINTENANCE, queue

    with app.app_context():
        q = queue(MAINTENANCE)
        connection = redis_connection()

        def ours(ids):
            jobs = Job.fetch_many(list(ids), connection=connection)
            return sum(1 for j in jobs if j and j.func_name.endswith("refresh_health"))

        return ours(q.job_ids), ours(q.scheduled_job_registry.get_job_ids())


def _run_scheduled_now(app) -> None:
    """What the workers' scheduler does once the delay has passed."""
    from rq.job import Job

    from saas.connections import redis_connection
    from workers.queues import MAINTENANCE, queue

    with app.app_context():
        q = queue(MAINTENANCE)
        registry = q.scheduled_job_registry
        for job_id in registry.get_job_ids():
            registry.remove(job_id)
            q.enqueue_job(Job.fetch(job_id, connection=redis_connection()))


def test_many_changes_make_one_run_a_minute(app, fx, run_jobs, monkeypatch):
    import workers.insights_jobs as jobs

    runs: list[int] = []
    real = cache.refresh
    monkeypatch.setattr(jobs.health_cache, "refresh", lambda n: runs.append(n) or real(n))
    _health(app, fx.network.id)
    _health(app, fx.network.id, lang="nl")
    for adults in range(1, 11):  # a flood of changes
        _add_held_session(app, fx.network.id, adults=adults)
        _health(app, fx.network.id)
    assert _refresh_jobs(app) == (1, 0)  # one run, at once (no run in the last minute)
    run_jobs()
    assert runs == [fx.network.id]
    with Statements(app) as sql:
        assert _health(app, fx.network.id).reach.sessions_held == 14
        assert _health(app, fx.network.id, lang="nl").reach.sessions_held == 14
    assert sql.seen == []
    for adults in range(1, 11):  # more within the minute: one run, a minute after the last
        _add_held_session(app, fx.network.id, adults=adults)
    assert _refresh_jobs(app) == (0, 1)
    run_jobs()
    assert runs == [fx.network.id]  # not yet
    assert _health(app, fx.network.id).reach.sessions_held == 14  # the last figures meanwhile
    _run_scheduled_now(app)
    run_jobs()
    assert runs == [fx.network.id, fx.network.id]
    assert _health(app, fx.network.id).reach.sessions_held == 24  # eventually current


def test_the_job_runs_one_at_a_time_per_network(app, fx, run_jobs):
    _health(app, fx.network.id)
    _add_held_session(app, fx.network.id, adults=1)
    with app.app_context():
        assert flask_cache.add(f"health-running:{fx.network.id}", 1, timeout=30)
    run_jobs()  # another run holds the network: this one plans itself again for later
    assert _refresh_jobs(app) == (0, 1)
    assert _health(app, fx.network.id).reach.sessions_held == 4
    with app.app_context():
        flask_cache.delete(f"health-running:{fx.network.id}")
    _run_scheduled_now(app)
    run_jobs()
    assert _health(app, fx.network.id).reach.sessions_held == 5


def test_when_the_job_cannot_be_queued_the_last_figures_are_still_shown(app, fx, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    _health(app, fx.network.id)

    def refused(network_id, delay):
        raise RedisConnectionError("queue unavailable")

    monkeypatch.setattr(cache, "_enqueue", refused)
    _add_held_session(app, fx.network.id, adults=1)  # planning after the commit fails quietly
    with Statements(app) as sql:
        assert _health(app, fx.network.id).reach.sessions_held == 4
    assert sql.seen == []
    with app.app_context():  # nothing left "planned": the next view plans it again
        assert flask_cache.get(f"health-planned:{fx.network.id}") is None


def test_a_network_nobody_views_plans_no_job(app, fx):
    _add_held_session(app, fx.network.id, adults=1)
    assert _refresh_jobs(app) == (0, 0)


def test_the_job_works_out_each_viewed_language(app, fx, run_jobs):
    _health(app, fx.network.id, "en")
    _health(app, fx.network.id, "nl")
    _add_held_session(app, fx.network.id, adults=1)
    run_jobs()
    with Statements(app) as sql:
        english = _health(app, fx.network.id, "en")
        dutch = _health(app, fx.network.id, "nl")
    assert sql.seen == []
    assert english.reach.sessions_held == dutch.reach.sessions_held == 5
    assert "Waiting for an answer" in english.referrals.by_state.row_labels
    assert "Waiting for an answer" not in dutch.referrals.by_state.row_labels


def test_expired_figures_are_shown_and_worked_out_again_by_the_job(app, fx, run_jobs):
    first = _health(app, fx.network.id)
    with app.app_context():
        version = flask_cache.get(f"health-version:{fx.network.id}") or 0
        flask_cache.delete(f"health:{fx.network.id}:{version}:{YEAR.code}:en")  # expired
    with Statements(app) as sql:
        assert _health(app, fx.network.id).computed_at == first.computed_at
    assert sql.seen == []
    assert _refresh_jobs(app) == (1, 0)
    run_jobs()
    assert _health(app, fx.network.id).computed_at > first.computed_at


def test_a_failed_computation_lets_the_next_request_work_the_figures_out(app, fx, monkeypatch):
    from saas.insights import figures

    _add_held_session(app, fx.network.id, adults=1)
    real = figures.health

    def broken(period):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(figures, "health", broken)
    with pytest.raises(RuntimeError):
        _health(app, fx.network.id)
    with app.app_context():
        assert flask_cache.get(_working(app, fx.network.id)) is None  # the lock is let go
    monkeypatch.setattr(figures, "health", real)
    assert _health(app, fx.network.id).reach.sessions_held == 5


def test_a_rolled_back_change_keeps_the_cached_figures(app, fx):
    _health(app, fx.network.id)
    with app.app_context(), network_scope(fx.network.id):
        db.session.add(Headcount(session_id=_any_session(), adults=50))
        db.session.flush()
        db.session.rollback()
    with Statements(app) as sql:
        _health(app, fx.network.id)
    assert sql.seen == []


def _any_session() -> int:
    return db.session.execute(select(ActivitySession.id).limit(1)).scalar_one()


def test_a_change_in_another_network_keeps_this_networks_figures(app, fx):
    other = build(app, "sint-truiden")
    _health(app, fx.network.id)
    _add_held_session(app, other.network.id, adults=3)
    with Statements(app) as sql:
        _health(app, fx.network.id)
    assert sql.seen == []


def test_each_network_reads_its_own_figures(app, fx):
    big = build(app, "genk", scale=3)
    mine = _health(app, fx.network.id)
    theirs = _health(app, big.network.id)
    assert mine.reach.sessions_held == 4
    assert theirs.reach.sessions_held > mine.reach.sessions_held
    assert _health(app, fx.network.id).reach.sessions_held == 4
    assert _health(app, big.network.id).reach.sessions_held == theirs.reach.sessions_held


def test_each_language_has_its_own_labels(app, fx):
    english = _health(app, fx.network.id, "en")
    dutch = _health(app, fx.network.id, "nl")
    assert "Waiting for an answer" in english.referrals.by_state.row_labels
    assert "Waiting for an answer" not in dutch.referrals.by_state.row_labels
    assert english.reach.sessions_held == dutch.reach.sessions_held


def test_entries_expire_after_the_configured_time(app, fx, monkeypatch):
    monkeypatch.setitem(app.config, "HEALTH_CACHE_SECONDS", 120)
    _health(app, fx.network.id)
    redis = Redis.from_url(app.config["REDIS_URL"])
    keys = [k for k in redis.scan_iter("dorp-cache:health:*") if b":latest:" not in k]
    assert keys
    assert all(0 < redis.ttl(k) <= 120 for k in keys)
    # the last figures, shown after a change until the job has worked out new ones, last a week
    latest = list(redis.scan_iter("dorp-cache:health:*:latest:*"))
    assert latest and all(120 < redis.ttl(k) <= cache.LATEST_SECONDS for k in latest)


def test_without_redis_the_figures_are_computed_and_writes_still_commit(app, fx, monkeypatch):
    with app.app_context():
        backend = flask_cache.cache
        gone = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
        monkeypatch.setattr(backend, "_read_client", gone)
        monkeypatch.setattr(backend, "_write_client", gone)
    assert _health(app, fx.network.id).reach.sessions_held == 4
    _add_held_session(app, fx.network.id, adults=1)  # the version bump fails quietly
    assert _health(app, fx.network.id).reach.sessions_held == 5


def test_turned_off_the_figures_are_computed_each_time(app, fx, monkeypatch):
    monkeypatch.setitem(app.config, "HEALTH_CACHE_SECONDS", 0)
    _health(app, fx.network.id)
    with Statements(app) as sql:
        _health(app, fx.network.id)
    assert len(sql.seen) > 10


def test_the_page_says_how_fresh_its_figures_are(app, client, fx):
    f.login(client, f.user(app, "beleid@beringen.example", (fx.network, Role.MUNICIPALITY_VIEWER)))
    body = client.get(
        "/beringen/municipality/", query_string={"kind": "year", "year": "2025", "lang": "en"}
    ).get_data(as_text=True)
    assert "Figures as of" in body
    assert "at least every 10 minutes" in body


def _sessions_card(body: str) -> str:
    found = re.search(r'Sessions held</h3><p class="fs-3 mb-0">(\d+)</p>', body)
    assert found, "the sessions-held card is missing"
    return found.group(1)


def test_the_dashboard_page_is_served_from_the_cache_until_the_data_changes(
    app, client, fx, run_jobs
):
    f.login(client, f.user(app, "beleid@beringen.example", (fx.network, Role.MUNICIPALITY_VIEWER)))
    url, query = "/beringen/municipality/", {"kind": "year", "year": "2025", "lang": "en"}
    first = client.get(url, query_string=query).get_data(as_text=True)
    with Statements(app) as sql:
        again = client.get(url, query_string=query).get_data(as_text=True)
    figures_sql = re.compile(r"(?<!\w)(sessions|headcounts|referrals|offers)(?!\w)")
    assert not [s for s in sql.seen if figures_sql.search(s)]
    assert _sessions_card(first) == _sessions_card(again) == "4"
    _add_held_session(app, fx.network.id, adults=2)
    with Statements(app) as sql:  # the last figures, at once, while the job is planned
        stale = client.get(url, query_string=query).get_data(as_text=True)
    assert _sessions_card(stale) == "4" and not [s for s in sql.seen if figures_sql.search(s)]
    run_jobs()
    assert _sessions_card(client.get(url, query_string=query).get_data(as_text=True)) == "5"


def test_each_network_gets_its_own_dashboard_page(app, client, fx):
    big = build(app, "genk", scale=3)
    viewer = f.user(
        app,
        "beleid@both.example",
        (fx.network, Role.MUNICIPALITY_VIEWER),
        (big.network, Role.MUNICIPALITY_VIEWER),
    )
    f.login(client, viewer)
    query = {"kind": "year", "year": "2025", "lang": "en"}
    mine = _sessions_card(client.get("/beringen/municipality/", query_string=query).text)
    theirs = _sessions_card(client.get("/genk/municipality/", query_string=query).text)
    assert mine == "4" and int(theirs) > 4
    assert _sessions_card(client.get("/beringen/municipality/", query_string=query).text) == "4"
    nl = client.get("/beringen/municipality/", query_string={**query, "lang": "nl"}).text
    assert "Sessions held</h3>" not in nl and "Gehouden sessies</h3>" in nl


@pytest.mark.postgres
def test_the_figures_are_planned_for_their_values_in_their_transaction_only(app, fx):
    """PostgreSQL's generic plan for the figures' aggregates (kept after a prepared statement's
    tenth run) was 2.6 times slower; the figures ask for a plan per run, and only while their
    transaction lasts."""
    from sqlalchemy import text

    from saas.insights import figures

    with app.test_request_context("/?lang=en"), network_scope(fx.network.id):
        figures.health(YEAR)
        mode = db.session.execute(text("SHOW plan_cache_mode")).scalar_one()
        db.session.commit()
        after = db.session.execute(text("SHOW plan_cache_mode")).scalar_one()
        db.session.rollback()
    assert (mode, after) == ("force_custom_plan", "auto")
