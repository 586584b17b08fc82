"""Writes per second (issue 13), inside ``make bench``'s throwaway database:

- referral transitions (submit, then accept) with 1, 2 and 4 concurrent clients, each a thread
  with its own database connection, through the services the pages and the API call; the
  notifications each transition decides are written inline (Celery eager, e-mails in memory),
  so a transition is measured with everything it costs;
- the task publish rate: messages handed to the configured broker (the embedded one or Redis) on
  a queue of its own that nothing consumes, purged afterwards.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from django.db import connection, connections
from django.test.utils import override_settings

TRANSITIONS_PER_CLIENT = 40
PUBLISHED = 5000
BENCH_QUEUE = "relais-bench"


def _world(drafts: int, tag: str) -> tuple[object, object, list[int]]:
    """A CSO caseworker with ``drafts`` referrals (each for its own person, consent given) to a
    municipality's caseworker."""
    from django.contrib.auth import get_user_model

    from organisations import services as organisation_services
    from organisations.models import Organisation, OrganisationKind
    from referrals import services

    sender = Organisation.objects.create(
        name=f"Throughput CSO {tag}", kind=OrganisationKind.CSO, city="Sfax", is_verified=True
    )
    receiver = Organisation.objects.create(
        name=f"Throughput municipality {tag}",
        kind=OrganisationKind.MUNICIPALITY,
        city="Sfax",
        is_verified=True,
    )
    people = []
    for organisation, name in ((sender, f"tp.sender.{tag}"), (receiver, f"tp.receiver.{tag}")):
        user = get_user_model().objects.create_user(name, email=f"{name}@example.org")
        organisation_services.membership_add(
            organisation=organisation, user=user, role="caseworker"
        )
        people.append(user)
    worker, receiving = people
    ids = []
    for _ in range(drafts):
        case = services.case_create(actor=worker, organisation=sender, given_name="A")
        services.consent_record(case=case, actor=worker, recipient=receiver, fields=["sex"])
        referral = services.referral_create(
            actor=worker,
            case=case,
            to_organisation=receiver,
            service_category="food",
            urgency="normal",
            reason="Needs help",
        )
        ids.append(referral.pk)
    return worker, receiving, ids


def _in_threads(work: list[Callable[[], None]]) -> float:
    """Runs each callable in its own thread (its own connection); returns the seconds taken."""
    errors: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        try:
            job()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    if len(work) == 1:  # one client: in this thread (an SQLite test database is in memory)
        start = time.perf_counter()
        work[0]()
        return time.perf_counter() - start
    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - start


def transitions(clients: int) -> float:
    """Transitions per second with ``clients`` concurrent clients."""
    from config.celery import app
    from referrals import services

    if connection.vendor == "sqlite" and clients > 1:
        return float("nan")  # one writer at a time: the embedded default's database
    worker, receiving, ids = _world(TRANSITIONS_PER_CLIENT * clients, tag=str(clients))
    shares = [ids[i::clients] for i in range(clients)]

    def client(share: list[int]) -> Callable[[], None]:
        def run() -> None:
            for referral_id in share:
                services.referral_submit(referral_id=referral_id, actor=worker)
                services.referral_accept(referral_id=referral_id, actor=receiving)

        return run

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            seconds = _in_threads([client(share) for share in shares])
    finally:
        app.conf.task_always_eager = eager
    return 2 * len(ids) / seconds


def publish_rate() -> float:
    """Messages per second handed to the broker (the product's publish path, one by one)."""
    from celery import shared_task

    from config.publish import publish

    @shared_task(name="relais.bench.noop", queue=BENCH_QUEUE, ignore_result=True)
    def noop(**kwargs: object) -> None:
        return None

    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        publish(noop, number=-1)  # connect first
        start = time.perf_counter()
        for number in range(PUBLISHED):
            if not publish(noop, number=number):
                raise RuntimeError("the broker refused a message")
        seconds = time.perf_counter() - start
    finally:
        app.conf.task_always_eager = eager
        with app.connection_for_write() as broker:
            broker.default_channel.queue_purge(BENCH_QUEUE)
    return PUBLISHED / seconds


def run() -> list[dict[str, object]]:
    """Print the writes per second; return them for ``var/bench.json``."""
    from config.celery import app

    figures: list[dict[str, object]] = []
    print("\n  writes per second")
    for clients in (1, 2, 4):
        rate = transitions(clients)
        shown = "  (SQLite: one writer)" if math.isnan(rate) else f"{rate:8.1f} /s"
        label = f"transitions (submit + accept), {clients} client(s)"
        print(f"  {label:<52} {shown}")
        figures.append({"what": label, "per_second": None if math.isnan(rate) else round(rate, 1)})
    broker = app.conf.broker_url.split("://", 1)[0]
    rate = publish_rate()
    verdict = "PASS" if rate >= 1000 else "FAIL"
    print(f"  {'tasks published (' + broker + ')':<52} {rate:8.0f} /s   ≥1000: {verdict}")
    figures.append({"what": f"tasks published ({broker})", "per_second": round(rate)})
    return figures
