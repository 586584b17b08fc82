"""A mixed load against gunicorn (issue 13): ``BENCH_CLIENTS`` clients (20) for
``BENCH_LOAD_SECONDS`` (30), each a person of the load database (municipal and CSO caseworkers)
who lists their boxes, opens referrals, comments and accepts what arrived, through the API (a
token) and the pages (a session), as fast as the server answers.

    DATABASE_URL=postgres://.../relais_load python -m benchmarks.load

The server is the production one: gunicorn with ``BENCH_GUNICORN_WORKERS`` (3) synchronous
workers, DEBUG off, started and stopped here, on the database filled by ``seed_load``. The load
writes comments and acceptances into that database. Prints throughput, p50/p95/p99 per kind of
request and the errors (any answer that is not the expected one); returns them for bench.json.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import typing
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from benchmarks import report

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "30"))
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "3"))
TARGET_RPS = 100.0
TARGET_P95_MS = 250.0
# What a person does, by weight: mostly reading lists and referrals, sometimes writing.
MIX = {"list": 35, "open": 35, "comment": 15, "transition": 15}


@dataclass
class Persona:
    """A client: who it is, how it authenticates, what it may open and accept."""

    username: str
    token: str
    session: str
    visible: list[int]
    in_care: list[int]
    arriving: list[int]
    # Its own share of the referrals in progress, put on hold and resumed in turn (a transition
    # the load can repeat for ever, once what arrived is accepted).
    cycling: list[int]
    held: set[int] = field(default_factory=set)
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)


def _personas(count: int) -> list[Persona]:
    """Half municipal caseworkers (the largest inbox), half caseworkers of different CSOs; each
    with an API token, a signed-in session, referrals they may see and, for each, its own share
    of the submitted referrals waiting in its organisation's inbox."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count, F, OuterRef, Subquery
    from django.utils.module_loading import import_string

    from organisations.models import ApiToken, Membership, Organisation, Role
    from referrals.models import IN_CARE, Referral, State

    municipality = Organisation.objects.get(name="Load municipality")
    caseworkers = Membership.objects.filter(role=Role.CASEWORKER, is_active=True).select_related(
        "user", "organisation"
    )
    # Caseworkers with a caseload first: the referrals in progress assigned to them are those
    # they may put on hold and resume.
    caseload = (
        Referral.objects.filter(
            assignee=OuterRef("user"), state__in=[State.IN_PROGRESS, State.ON_HOLD]
        )
        .order_by()
        .values("assignee")
        .annotate(n=Count("pk"))
        .values("n")
    )
    caseworkers = caseworkers.annotate(caseload=Subquery(caseload)).order_by(
        F("caseload").desc(nulls_last=True), "pk"
    )
    chosen = list(caseworkers.filter(organisation=municipality)[: count // 2])
    seen: set[int] = set()
    for membership in caseworkers.exclude(organisation=municipality):
        if len(chosen) >= count:
            break
        if membership.organisation_id not in seen:
            seen.add(membership.organisation_id)
            chosen.append(membership)
    # As a sign-in would record it: the first backend that loads a user (not the lock-out's).
    backend = next(
        path
        for path in settings.AUTHENTICATION_BACKENDS
        if hasattr(import_string(path), "get_user")
    )
    shares: dict[int, list[int]] = {}
    personas = []
    for membership in chosen:
        organisation = membership.organisation
        same = [m for m in chosen if m.organisation_id == organisation.pk]
        if organisation.pk not in shares:
            shares[organisation.pk] = list(
                Referral.objects.filter(to_organisation=organisation, state=State.SUBMITTED)
                .order_by("-id")
                .values_list("pk", flat=True)[:5000]
            )
        waiting = shares[organisation.pk][same.index(membership) :: len(same)]
        cycling = list(  # held and resumed by their assignee (DESIGN.md)
            Referral.objects.filter(
                to_organisation=organisation,
                state__in=[State.IN_PROGRESS, State.ON_HOLD],
                assignee=membership.user,
            ).values_list("pk", "state")[:200]
        )
        visible = list(
            Referral.objects.filter(to_organisation=organisation)
            .exclude(state=State.DRAFT)
            .order_by("-id")
            .values_list("pk", flat=True)[:200]
        )
        in_care = list(
            Referral.objects.filter(to_organisation=organisation, state__in=IN_CARE)
            .order_by("-id")
            .values_list("pk", flat=True)[:200]
        )
        _, token = ApiToken.objects.create(user=membership.user, expiry=None)
        session = SessionStore()
        session[SESSION_KEY] = str(membership.user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = membership.user.get_session_auth_hash()
        session.create()
        personas.append(
            Persona(
                username=membership.user.username,
                token=token,
                session=session.session_key,
                visible=visible,
                in_care=in_care,
                arriving=waiting,
                cycling=[pk for pk, _ in cycling],
                held={pk for pk, state in cycling if state == State.ON_HOLD},
            )
        )
    return personas


def _request(port: int, method: str, path: str, headers: dict[str, str], body: str | None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _transition(persona: Persona, chance: random.Random) -> tuple[str, str]:
    """Accept what arrived; then hold and resume the persona's referrals in progress in turn."""
    if persona.arriving:
        return f"/api/v1/referrals/{persona.arriving.pop()}/accept/", "{}"
    referral = chance.choice(persona.cycling)
    if referral in persona.held:
        persona.held.discard(referral)
        return f"/api/v1/referrals/{referral}/resume/", "{}"
    persona.held.add(referral)
    body = json.dumps({"expected_date": "2031-01-15", "comment": "Waiting list."})
    return f"/api/v1/referrals/{referral}/hold/", body


Request = tuple[str, str, str, dict[str, str], str | None, int]


def _next_request(persona: Persona, chance: random.Random) -> Request:
    """(kind, method, path, headers, body, expected status) of the persona's next request."""
    api = {"Authorization": f"Token {persona.token}", "Accept": "application/json"}
    web = {"Cookie": f"sessionid={persona.session}"}
    kind = chance.choices(list(MIX), list(MIX.values()))[0]
    if kind == "transition" and not (persona.arriving or persona.cycling):
        kind = "comment"
    if kind == "comment" and not persona.in_care:
        kind = "open"
    if kind == "list":
        path, headers = chance.choice(
            [
                ("/api/v1/referrals/?box=inbox", api),
                ("/api/v1/referrals/?box=outbox", api),
                ("/referrals/?box=inbox", web),
                ("/referrals/?box=inbox&state=accepted", web),
            ]
        )
        return kind, "GET", path, headers, None, 200
    if kind == "open":
        referral = chance.choice(persona.visible)
        path, headers = chance.choice(
            [(f"/api/v1/referrals/{referral}/", api), (f"/referrals/{referral}/", web)]
        )
        return kind, "GET", path, headers, None, 200
    json_api = {**api, "Content-Type": "application/json"}
    if kind == "comment":  # on a referral in care (a closed one takes no more)
        body = json.dumps({"comment": "Called the person; they will come on Monday."})
        path = f"/api/v1/referrals/{chance.choice(persona.in_care)}/comment/"
        return kind, "POST", path, json_api, body, 201
    path, body = _transition(persona, chance)
    return kind, "POST", path, json_api, body, 200


def _client(persona: Persona, port: int, until: float, seed: int) -> None:
    chance = random.Random(seed)  # noqa: S311 - a reproducible mix, not a secret
    while time.monotonic() < until:
        kind, method, path, headers, body, expected = _next_request(persona, chance)
        start = time.perf_counter()
        try:
            status = _request(port, method, path, headers, body)
        except OSError as error:
            status, reason = 0, str(error)
        else:
            reason = ""
        persona.timings[kind].append((time.perf_counter() - start) * 1000)
        if status != expected:
            persona.errors.append(f"{method} {path}: {status} {reason}".strip())


def _percentile(timings: list[float], share: float) -> float:
    ordered = sorted(timings)
    return ordered[max(0, int(len(ordered) * share) - 1)] if ordered else 0.0


def _database_url() -> str:
    """The database this process uses (a test's own, in the suite), for the server to use."""
    from django.db import connection

    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def _serve(port: int, log: typing.IO[str]) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "REQUIRE_2FA_FOR_PRIVILEGED": "0",
        # The transitions publish their notifications' tasks: to a folder nobody reads.
        "CELERY_BROKER_URL": "filesystem://localhost/",
        "CELERY_DATA_DIR": tempfile.mkdtemp(prefix="relais-load-"),
    }
    # The static files' manifest, as `make run` makes it, with the server's own settings (a
    # test's settings store static files without one).
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=Path(__file__).resolve().parent.parent,
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    server = subprocess.Popen(  # noqa: S603 - this interpreter's gunicorn, fixed arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(GUNICORN_WORKERS),
            "--no-control-socket",
        ],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    deadline = time.monotonic() + 60
    status = None
    while time.monotonic() < deadline and server.poll() is None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/accounts/login/")  # a page: the app answers
            response = connection.getresponse()
            status = f"{response.status} {response.read()[:500].decode()}"
            connection.close()
        except OSError:
            status = None
        if status and status.startswith("200"):
            return server
        time.sleep(0.3)
    server.terminate()
    server.wait(timeout=30)
    log.seek(0)
    raise RuntimeError(f"gunicorn did not answer (last: {status}): {log.read()[-3000:]}")


def run() -> dict[str, object]:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    personas = _personas(CLIENTS)
    with tempfile.TemporaryFile("w+") as log:  # the server's errors, if it does not start
        return _measure(personas, port, log)


def _measure(personas: list[Persona], port: int, log: typing.IO[str]) -> dict[str, object]:
    server = _serve(port, log)
    try:
        # Each worker's first requests load templates and translations: not measured.
        for persona in personas[: GUNICORN_WORKERS * 2]:
            _client(persona, port, time.monotonic() + 1.0, seed=0)
            persona.timings.clear()
            persona.errors.clear()
        until = time.monotonic() + SECONDS
        threads = [
            threading.Thread(target=_client, args=(persona, port, until, n))
            for n, persona in enumerate(personas)
        ]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=30)
    by_kind: dict[str, list[float]] = defaultdict(list)
    for persona in personas:
        for kind, timings in persona.timings.items():
            by_kind[kind].extend(timings)
    every = [t for timings in by_kind.values() for t in timings]
    errors = [error for persona in personas for error in persona.errors]
    rps = len(every) / elapsed
    p95 = _percentile(every, 0.95)
    passed = rps >= TARGET_RPS and p95 < TARGET_P95_MS and not errors
    print(
        f"\n  Mixed load: {len(personas)} clients against gunicorn ({GUNICORN_WORKERS} workers) "
        f"for {elapsed:.0f} s"
    )
    print(f"  {'request':<12} {'count':>7} {'p50':>8} {'p95':>8} {'p99':>8}")
    for kind, timings in sorted(by_kind.items()):
        print(
            f"  {kind:<12} {len(timings):7d} {statistics.median(timings):7.1f}  "
            f"{_percentile(timings, 0.95):7.1f}  {_percentile(timings, 0.99):7.1f}"
        )
    print(
        f"  {'all':<12} {len(every):7d} {statistics.median(every):7.1f}  {p95:7.1f}  "
        f"{_percentile(every, 0.99):7.1f}   {rps:.1f} requests/s, {len(errors)} errors "
        f"(target ≥ {TARGET_RPS:.0f}/s, p95 < {TARGET_P95_MS:.0f} ms, 0 errors): "
        f"{'PASS' if passed else 'FAIL'}"
    )
    for error in errors[:5]:
        print(f"    {error}")
    figures = {
        "clients": len(personas),
        "seconds": round(elapsed, 1),
        "requests": len(every),
        "per_second": round(rps, 1),
        "p50_ms": round(statistics.median(every), 1),
        "p95_ms": round(p95, 1),
        "errors": len(errors),
        "by_kind": {
            kind: {
                "count": len(timings),
                "p50_ms": round(statistics.median(timings), 1),
                "p95_ms": round(_percentile(timings, 0.95), 1),
            }
            for kind, timings in by_kind.items()
        },
        "pass": passed,
    }
    report.record("mixed load", figures)
    return figures


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    run()
