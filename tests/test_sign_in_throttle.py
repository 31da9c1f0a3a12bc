"""Issue #21.3: sign-in throttling that protects without locking people out.

Only failed sign-ins count, per account and per client address; a sign-in starts the account's
count again; a throttled person sees when to try again, and gets in at once with a reset link.
"""

from __future__ import annotations

import re

import pytest
from redis import Redis

from saas.extensions import limiter
from tests import factories as f
from tests.mail import links_in_mailbox

SCHOOL = "198.51.100.7"  # one address for a whole school (a documentation range)
ELSEWHERE = "203.0.113.9"


@pytest.fixture
def limited(make_app, app):
    """The app with its rate limits on (the suite's default app has them off)."""
    with_limits = make_app({"RATELIMIT_ENABLED": True})
    yield with_limits
    limiter.enabled = False  # one limiter per process: leave it as the other tests expect


def _client(app, address: str = SCHOOL):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _sign_in(client, email: str, password: str = f.PASSWORD):
    return client.post("/auth/login", data={"email": email, "password": password})


def _sign_out(client):
    assert client.post("/auth/logout").status_code == 302


def test_a_brugfiguur_signs_in_six_times_within_a_minute(limited):
    brugfiguur = f.user(limited, "brugfiguur@sint-truiden.example")
    shared_computer = _client(limited)
    for _ in range(6):
        assert _sign_in(shared_computer, brugfiguur.email).status_code == 302
        _sign_out(shared_computer)
    assert _sign_in(shared_computer, brugfiguur.email).status_code == 302


def test_five_failures_pause_the_account_and_a_reset_link_still_gets_the_person_in(
    limited, run_jobs, environ
):
    hafida = f.user(limited, "hafida@in-z.example")
    computer = _client(limited)
    for _ in range(5):
        assert _sign_in(computer, hafida.email, "not my password").status_code == 422

    paused = _sign_in(computer, hafida.email)  # even the right password waits now
    assert paused.status_code == 429
    page = paused.get_data(as_text=True)
    assert "text/html" in paused.headers["Content-Type"]
    assert "<h1>Aanmelden is even gepauzeerd</h1>" in page
    assert re.search(
        r"Je kunt het opnieuw proberen vanaf \d{1,2}:\d{2} \(over 1[45] minuten\)", page
    )
    assert 'href="/auth/forgot"' in page and "Wachtwoord vergeten?" in page
    assert 840 <= int(paused.headers["Retry-After"]) <= 901
    assert 'class="dorp-header' in page  # the site's own layout, not a bare 429

    # another person at the same computer is not held up
    colleague = f.user(limited, "olga@in-z.example")
    assert _sign_in(_client(limited), colleague.email).status_code == 302

    # "forgot password" keeps working, and the new password gets her in at once
    assert computer.post("/auth/forgot", data={"email": hafida.email}).status_code == 302
    run_jobs()
    (link,) = links_in_mailbox(environ, hafida.email, "/auth/reset/")
    new = {"password": "a fresh long password", "confirm": "a fresh long password"}
    assert computer.post(link.replace("http://localhost", ""), data=new).status_code == 302
    assert _sign_in(computer, hafida.email, "a fresh long password").status_code == 302


def test_a_sign_in_starts_the_count_of_failures_again(limited):
    ilse = f.user(limited, "ilse@in-z.example")
    computer = _client(limited)
    for _round in range(3):  # 12 typos in all, never five in a row
        for _ in range(4):
            assert _sign_in(computer, ilse.email, "typo typo typo").status_code == 422
        assert _sign_in(computer, ilse.email).status_code == 302
        _sign_out(computer)


def test_the_count_is_per_account_whatever_the_spelling_of_the_address(limited):
    samira = f.user(limited, "samira@in-z.example")
    computer = _client(limited)
    for spelling in ("SAMIRA@in-z.example", " samira@IN-Z.example", "Samira@In-Z.Example"):
        assert _sign_in(computer, spelling, "wrong wrong").status_code == 422
    for _ in range(2):
        assert _sign_in(_client(limited, ELSEWHERE), samira.email, "wrong").status_code == 422
    assert _sign_in(computer, samira.email).status_code == 429


def test_a_school_behind_one_address_signs_in_and_guessing_across_accounts_is_paused(limited):
    staff = [f.user(limited, f"leerkracht{n}@school.example") for n in range(30)]
    for n, person in enumerate(staff):
        computer = _client(limited)
        if n % 3 == 0:  # ten of them mistype their password once
            assert _sign_in(computer, person.email, "oeps").status_code == 422
        assert _sign_in(computer, person.email).status_code == 302

    guesser = _client(limited)
    answers = [_sign_in(guesser, f"gok{n}@school.example", "123456").status_code for n in range(45)]
    # 10 typos + 40 guesses = the 50 failures an address may have in 15 minutes
    assert answers[:40] == [422] * 40
    assert set(answers[40:]) == {429}
    throttled = _sign_in(guesser, staff[0].email)
    assert throttled.status_code == 429
    assert "Vanaf dit netwerkadres" in throttled.get_data(as_text=True)
    # another address is not affected
    assert _sign_in(_client(limited, ELSEWHERE), staff[0].email).status_code == 302


def test_the_counters_keep_no_e_mail_address_in_redis(limited, environ):
    person = f.user(limited, "mira@in-z.example")
    computer = _client(limited)
    for _ in range(6):
        _sign_in(computer, person.email, "wrong password")
    _sign_in(computer, "nobody@nowhere.example", "wrong password")
    keys = [k.decode() for k in Redis.from_url(environ["REDIS_URL"]).keys("*")]
    assert any("login-account" in k for k in keys)
    assert not any("@" in k or "mira" in k or "nobody" in k for k in keys)


def test_a_form_that_is_not_filled_in_counts_as_no_failure(limited):
    person = f.user(limited, "yusuf@in-z.example")
    computer = _client(limited)
    for _ in range(6):
        assert computer.post("/auth/login", data={"email": person.email}).status_code == 422
    assert _sign_in(computer, person.email).status_code == 302


def test_other_limited_forms_say_from_when_to_try_again(limited):
    computer = _client(limited)
    answers = [
        computer.post("/auth/forgot", data={"email": f"iemand{n}@x.example"}) for n in range(11)
    ]
    assert [a.status_code for a in answers] == [302] * 10 + [429]
    page = answers[-1].get_data(as_text=True)
    assert "<h1>Te veel pogingen</h1>" in page
    assert re.search(r"Je kunt het opnieuw proberen vanaf \d{1,2}:\d{2} \(over 1 minuut\)", page)
