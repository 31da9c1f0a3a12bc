"""Mixed traffic for the load run (bench/load.py starts locust headless with this file).

Families browse the public pages and feeds; partners read the catalogue and their inbox, open
referrals and write messages (each e-mails the sending partner's people); municipality viewers
open the network's figures. Everyone also opens the Fortunes page now and then: the yardstick,
measured under the very same load. `FortunesReader` opens nothing else (the Fortunes-only run).

The people and the network come from the environment that bench/load.py sets. BENCH_HOSTS lists
the servers (comma-separated); with several, every request goes to one picked at random, so one
person's requests land on every server (the session is the database's, not a process's).
BENCH_TIMINGS names a file that gets every request's (name, milliseconds, failed, when it
ended in seconds since the epoch) as JSON.
"""

from __future__ import annotations

import json
import os
import random
import re
import time

from locust import HttpUser, between, events, task

SLUG = os.environ["BENCH_SLUG"]
PASSWORD = os.environ["BENCH_PASSWORD"]
HOSTS = os.environ["BENCH_HOSTS"].split(",")
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
FORTUNES = "Fortunes page (yardstick)"

_timings: list[tuple[str, float, bool, float]] = []


@events.request.add_listener
def _timed(name, response_time, exception, **_kwargs):
    _timings.append((name, response_time, exception is not None, time.time()))


@events.quitting.add_listener
def _write_timings(**_kwargs):
    with open(os.environ["BENCH_TIMINGS"], "w") as out:
        json.dump(_timings, out)


class Person(HttpUser):
    abstract = True
    host = HOSTS[0]
    wait_time = between(0.2, 1.0)

    # Redirects are never followed: requests would follow them without the Secure session
    # cookie, and the anonymous answer's fresh cookie would then sign the person out.
    def get(self, path: str, **kwargs):
        self._plain_cookies()
        with self.client.get(
            _somewhere(path), allow_redirects=False, catch_response=True, **kwargs
        ) as response:
            if "/auth/login" in response.headers.get("Location", ""):
                response.failure("sent to the login page: signed out")
        return response

    def post(self, path: str, **kwargs):
        self._plain_cookies()
        return self.client.post(_somewhere(path), allow_redirects=False, **kwargs)

    def fortunes(self):
        self.get("/bench/fortunes", name=FORTUNES)

    def _plain_cookies(self) -> None:
        # The app sets Secure cookies (TLS ends at the proxy in production); this is loopback.
        for cookie in self.client.cookies:
            cookie.secure = False

    def login(self, email: str) -> None:
        page = self.get("/auth/login", name="login page")
        token = TOKEN.search(page.text)
        self._plain_cookies()
        with self.client.post(
            _somewhere("/auth/login"),
            data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login as {email} answered {response.status_code}")


class Family(Person):
    weight = 6

    @task(6)
    def this_week(self):
        self.get(f"/{SLUG}/", name="families' page")

    @task(2)
    def filtered(self):
        self.get(
            f"/{SLUG}/?age={random.randint(0, 12)}&time=morning", name="families' page, filtered"
        )

    @task(1)
    def calendar(self):
        self.get(f"/{SLUG}/agenda.ics", name="iCalendar feed")

    @task(1)
    def yardstick(self):
        self.fortunes()


class Partner(Person):
    weight = 3
    referrals: list[str]

    def on_start(self):
        self.login(os.environ["BENCH_PARTNER"])
        inbox = self.get(f"/{SLUG}/referrals/", name="referral inbox")
        self.referrals = sorted(set(re.findall(rf"/{SLUG}/referrals/(\d+)\"", inbox.text)))

    @task(3)
    def catalogue(self):
        self.get(f"/{SLUG}/catalogue/", name="catalogue")

    @task(3)
    def inbox(self):
        self.get(f"/{SLUG}/referrals/", name="referral inbox")

    @task(2)
    def open_and_answer(self):
        if not self.referrals:
            return
        referral = random.choice(self.referrals)
        page = self.get(f"/{SLUG}/referrals/{referral}", name="referral")
        token = TOKEN.search(page.text)
        if token:
            self.post(
                f"/{SLUG}/referrals/{referral}/message",
                data={
                    "body": "We nemen contact op in de loop van de week.",
                    "csrf_token": token.group(1),
                },
                name="referral message",
            )

    @task(1)
    def yardstick(self):
        self.fortunes()


class Viewer(Person):
    weight = 1

    def on_start(self):
        self.login(os.environ["BENCH_VIEWER"])

    @task(9)
    def figures(self):
        self.get(f"/{SLUG}/municipality/", name="network health")

    @task(1)
    def yardstick(self):
        self.fortunes()


class FortunesReader(Person):
    """The Fortunes-only run: the yardstick's own requests per second, as many people."""

    @task
    def yardstick(self):
        self.fortunes()


def _somewhere(path: str) -> str:
    return path if len(HOSTS) == 1 else random.choice(HOSTS) + path
