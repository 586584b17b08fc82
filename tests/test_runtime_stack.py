"""The product as `make run` starts it stays up (issue 12): under concurrent clients the worker
never crashes and every event reaches the people concerned; a worker, beat or web server that
dies is started again, and the web never goes down because a background process did.

Runs on the suite's services: the embedded default (SQLite, filesystem broker) locally and in
CI's first pass, PostgreSQL and Redis in its second. ``SOAK_SECONDS`` sets how long the clients
work (CI: 40 s); ``make soak`` runs a longer one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from tests.stack import ROOT, Stack

pytestmark = pytest.mark.slow

SOAK_SECONDS = float(os.environ.get("SOAK_SECONDS", "40"))
CLIENTS = int(os.environ.get("SOAK_CLIENTS", "6"))
PASSWORD = "demo-pass-2026"  # the demo world's published password


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = Stack(tmp_path_factory.mktemp("stack"))
    try:
        running.start()
        yield running
    finally:
        running.stop()


class CountedRetry(Retry):
    """As a browser does: a request sent on a kept-alive connection that the server closed at the
    same moment (gunicorn closes idle ones after 2 s) is sent again on a new connection. Counted:
    more than a few would be resets the server should not cause, hidden by the retries."""

    taken = 0
    _lock = threading.Lock()

    def increment(self, *args, **kwargs):
        with CountedRetry._lock:
            CountedRetry.taken += 1
        return super().increment(*args, **kwargs)


def _session(stack: Stack, username: str) -> requests.Session:
    session = requests.Session()
    retry = CountedRetry(total=1, connect=1, read=1, status=0, other=0, allowed_methods=None)
    session.mount("http://", HTTPAdapter(max_retries=retry))
    response = session.post(
        f"{stack.url}/api/v1/auth/token/",
        json={"username": username, "password": PASSWORD},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    session.headers["Authorization"] = f"Token {response.json()['token']}"
    return session


class Journeys:
    """Clients that walk referrals from registration to outcome until told to stop."""

    def __init__(self, stack: Stack, municipality: int) -> None:
        self.stack = stack
        self.municipality = municipality
        self.sender = _session(stack, "cso1.worker")
        self.receiver = _session(stack, "muni.staff")
        self.stop = threading.Event()
        self.answers: Counter = Counter()
        self.failures: list[str] = []
        self.completed = 0
        self._lock = threading.Lock()

    def call(self, session: requests.Session, path: str, body: dict | None = None) -> dict:
        url = f"{self.stack.url}/api/v1{path}"
        response = (
            session.get(url, timeout=60)
            if body is None
            else session.post(url, json=body, timeout=60)
        )
        with self._lock:
            self.answers[response.status_code] += 1
        if response.status_code >= 300:
            raise AssertionError(f"{path}: {response.status_code} {response.text[:300]}")
        return response.json()

    def walk(self, number: int) -> None:
        case = self.call(
            self.sender,
            "/cases/",
            {"given_name": f"Soak {number}", "age_band": "18-25", "sex": "male"},
        )
        self.call(
            self.sender,
            f"/cases/{case['id']}/consents/",
            {"recipient": self.municipality, "fields": ["given_name", "age_band"]},
        )
        referral = self.call(
            self.sender,
            "/referrals/",
            {
                "case": case["id"],
                "to_organisation": self.municipality,
                "service_category": "emergency_shelter",
                "urgency": "high",
                "reason": f"Soak journey {number}",
            },
        )
        rid = referral["id"]
        self.call(self.sender, f"/referrals/{rid}/submit/", {})
        self.call(self.receiver, f"/referrals/{rid}/")
        self.call(self.receiver, f"/referrals/{rid}/accept/", {})
        self.call(self.receiver, f"/referrals/{rid}/comment/", {"comment": "On it."})
        self.call(self.receiver, f"/referrals/{rid}/start/", {})
        self.call(
            self.receiver,
            f"/referrals/{rid}/complete/",
            {"outcome": "provided", "note": "Housed for the night."},
        )

    def client(self, index: int) -> None:
        number = index * 1_000_000
        while not self.stop.is_set():
            number += 1
            try:
                self.walk(number)
            except Exception as error:  # noqa: BLE001 - every failure is reported at the end
                self.failures.append(repr(error))
                time.sleep(1)
            else:
                with self._lock:
                    self.completed += 1

    def run(self, seconds: float, clients: int) -> None:
        threads = [threading.Thread(target=self.client, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        time.sleep(seconds)
        self.stop.set()
        for thread in threads:
            thread.join(timeout=120)


def _tasks_done(stack: Stack) -> int:
    return stack.output().count("] succeeded in ")


def test_the_stack_reports_every_dependency_healthy(stack):
    response = requests.get(f"{stack.url}/health/", timeout=10)
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "broker": "ok", "cache": "ok"},
    }


def test_a_person_signs_in_over_plain_http_and_meets_the_products_own_error_pages(stack):
    """`make run` serves http://127.0.0.1 with DEBUG off: the session cookie must not be
    HTTPS-only there, and a page one may not see, or that does not exist, is the product's
    "Not found" page, never Django's debug page listing the URL patterns."""
    browser = requests.Session()
    login = f"{stack.url}/accounts/login/"
    browser.get(login, timeout=30)
    response = browser.post(
        login,
        data={
            "username": "cso2.worker",
            "password": PASSWORD,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        headers={"Referer": login},
        timeout=30,
    )
    assert response.status_code == 200
    assert response.url == f"{stack.url}/"  # signed in: the cookies worked over plain HTTP
    # A referral between two other organisations: cso2.worker may not see it.
    hidden = stack.query(
        "__import__('referrals.models', fromlist=['Referral']).Referral.objects"
        ".exclude(from_organisation__name='Legal Aid Sfax')"
        ".exclude(to_organisation__name='Legal Aid Sfax').values_list('pk', flat=True).first()"
    )
    assert hidden is not None
    for path in (f"/referrals/{hidden}/", "/no-such-page/"):
        page = browser.get(f"{stack.url}{path}", timeout=30)
        assert page.status_code == 404, path
        assert "This page does not exist, or you may not see it." in page.text, path
        assert "URLconf" not in page.text, path
        assert "Traceback" not in page.text, path
        assert "Youssef Mansour" in page.text  # the signed-in layout, with the person's menu


def test_under_concurrent_clients_the_worker_never_crashes_and_nothing_is_lost(stack):
    municipality = stack.query(
        "__import__('organisations.models').models.Organisation.objects"
        ".get(name='Municipality of Sfax').pk"
    )
    worker_before = stack.status()["worker"]
    journeys = Journeys(stack, municipality)
    retries_before = CountedRetry.taken
    started = time.monotonic()

    journeys.run(SOAK_SECONDS, CLIENTS)
    stopped = time.monotonic()

    assert journeys.failures == [], journeys.failures[:5]
    assert journeys.completed >= CLIENTS, journeys.answers
    requests_sent = sum(journeys.answers.values())
    retried = CountedRetry.taken - retries_before
    assert retried <= max(3, requests_sent // 200), f"{retried} requests sent again"

    # Everything the clients caused is delivered: every event notified, every e-mail sent.
    outbox = (
        "[__import__('referrals.models').models.ReferralEvent.objects"
        ".filter(notified_at=None).count(),"
        " __import__('notifications.models').models.Delivery.objects"
        ".exclude(status='sent').count(),"
        " __import__('notifications.models').models.Delivery.objects.count(),"
        " __import__('notifications.models').models.PendingNotice.objects"
        ".filter(done_at=None).count()]"
    )

    def drained() -> bool:
        unnotified, unsent, _, notices = stack.query(outbox)
        return unnotified == unsent == notices == 0

    # Clients that never pause saturate two cores: a backlog builds while they work (the worker
    # gets what the web leaves), and must drain once they stop.
    stack.wait_until(drained, within=max(180, SOAK_SECONDS), every=3)
    elapsed, drain = time.monotonic() - started, time.monotonic() - stopped
    deliveries = stack.query(outbox)[2]
    tasks = _tasks_done(stack)

    output = stack.output()
    assert "Unrecoverable error" not in output
    assert "Traceback" not in output, output[output.index("Traceback") - 2000 :][:6000]
    assert stack.status()["worker"] == worker_before  # the same process, never restarted
    assert not (stack.folder / "rejected").exists()
    assert deliveries >= journeys.completed
    assert tasks >= journeys.completed * 6
    print(  # noqa: T201 - the figures of the run, for the closing note and `make soak`
        f"\nsoak: {CLIENTS} clients for {SOAK_SECONDS:.0f} s, {journeys.completed} journeys, "
        f"{requests_sent} requests {dict(journeys.answers)} ({retried} sent again), "
        f"{tasks} tasks run, {deliveries} deliveries, all delivered after {elapsed:.0f} s "
        f"({drain:.0f} s after the clients stopped)"
    )


@pytest.mark.parametrize("program", ["worker", "beat", "web"])
def test_a_process_that_dies_is_started_again_and_the_others_stay_up(stack, program):
    before = stack.status()
    os.kill(before[program][1], signal.SIGKILL)

    stack.wait_until(
        lambda: (
            stack.status()[program][0] == "RUNNING"
            and stack.status()[program][1] != before[program][1]
        ),
        within=60,
    )
    after = stack.status()
    for other in {"web", "worker", "beat"} - {program}:
        assert after[other] == before[other], other  # untouched
    if program != "web":
        assert stack.answers()
    stack.wait_until(stack.answers, within=30)


def test_a_second_beat_refuses_to_start(stack):
    second = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "config", "beat", "--pidfile="],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert second.returncode != 0
    assert "Another beat is running" in second.stdout + second.stderr
    assert stack.status()["beat"][0] == "RUNNING"  # the first one goes on


def test_the_request_id_follows_an_event_into_the_tasks_that_deliver_it(stack):
    municipality = stack.query(
        "__import__('organisations.models').models.Organisation.objects"
        ".get(name='Municipality of Sfax').pk"
    )
    journeys = Journeys(stack, municipality)
    case = journeys.call(
        journeys.sender, "/cases/", {"given_name": "Trace", "age_band": "18-25", "sex": "male"}
    )
    journeys.call(
        journeys.sender,
        f"/cases/{case['id']}/consents/",
        {"recipient": municipality, "fields": ["given_name"]},
    )
    referral = journeys.call(
        journeys.sender,
        "/referrals/",
        {
            "case": case["id"],
            "to_organisation": municipality,
            "service_category": "emergency_shelter",
            "urgency": "normal",
            "reason": "Traced",
        },
    )
    response = journeys.sender.post(
        f"{stack.url}/api/v1/referrals/{referral['id']}/submit/",
        json={},
        headers={"X-Request-ID": "trace-submit-0001"},
        timeout=30,
    )
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "trace-submit-0001"

    def traced(task: str) -> bool:
        return any(
            "[trace-submit-0001]" in line and task in line and "succeeded" in line
            for line in stack.output().splitlines()
        )

    stack.wait_until(lambda: traced("referral_event_notify_task"), within=60)
    stack.wait_until(lambda: traced("delivery_send_batch_task"), within=60)
