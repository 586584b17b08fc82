"""The hot lists at city scale, on a database filled by ``manage.py seed_load`` (issue 13).

    DATABASE_URL=postgres://.../loadtest python -m benchmarks.city

For the municipal caseworker (the largest inbox) and a CSO caseworker: the inbox and outbox,
API and web, first page, a deep page and each filter, p50 and p95 over ``BENCH_REQUESTS``
requests, each interleaved with its reference (django-guardian's ``get_objects_for_user`` page +
``count()``, same user, same data), the target beside it, PASS or FAIL. Records its
figures in ``var/bench.json`` (``benchmarks.report``) under ``city@<referrals>``.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import time
from collections.abc import Callable

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import override_settings, setup_test_environment

from benchmarks import report

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
TARGET_MS = 50.0  # p95, on the 2-core machine of the issue
TARGET_RATIO = 8.0  # at least this many times faster than the guardian reference
# The ratio is the target for the municipality at a million referrals; in a small box
# (a CSO's, or any at a smaller scale) guardian's list is fast too, and only the time is judged.
RATIO_FROM_REFERRALS = 1_000_000
MUNICIPAL = "municipal caseworker"


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def _percentiles(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def _reference(user) -> Callable[[], object]:
    from guardian.shortcuts import get_objects_for_user

    from referrals.models import Referral

    def run() -> object:
        rows = get_objects_for_user(
            user,
            "referrals.view_referral",
            klass=Referral,
            accept_global_perms=False,
            with_superuser=False,
        )
        return list(rows.order_by("-id")[:25]), rows.count()

    return run


SWEEP_TARGET_MS = 10.0  # each sweep's query, whatever the size of the tables


def _sweeps() -> list[tuple[str, Callable[[], object]]]:
    """The query each beat sweep starts with, as the sweep runs it (a batch of 500)."""
    import datetime

    from django.utils import timezone

    from coordination import selectors as coordination_selectors
    from notifications.models import PendingNotice
    from notifications.services import deliveries_to_hand
    from referrals import privacy, selectors
    from referrals.models import ReferralEvent

    now = timezone.now()
    today = timezone.localdate()

    def ids(queryset) -> Callable[[], object]:
        return lambda: list(queryset.values_list("pk", flat=True)[:500])

    return [
        ("referral reminders due", ids(selectors.referrals_due_for_reminder(now=now))),
        ("referral escalations due", ids(selectors.referrals_due_for_escalation(now=now))),
        ("referral expiries due", ids(selectors.referrals_due_for_expiry(now=now))),
        (
            "referrals past retention",
            ids(selectors.referrals_past_retention(before=now - datetime.timedelta(days=90))),
        ),
        (
            "cases past retention",
            ids(privacy.cases_past_retention(before=now - datetime.timedelta(days=365))),
        ),
        (
            "referral events to notify",
            ids(
                ReferralEvent.objects.filter(
                    notified_at__isnull=True, created_at__lt=now - datetime.timedelta(seconds=30)
                ).order_by("created_at")
            ),
        ),
        ("e-mails to hand to the broker", ids(deliveries_to_hand(now=now))),
        (
            "notices waiting",
            ids(PendingNotice.objects.filter(done_at__isnull=True).order_by("created_at")),
        ),
        ("meeting reminders due", lambda: coordination_selectors.reminders_due(now=now)[:500]),
        (
            "action items due tomorrow",
            ids(coordination_selectors.action_items_due_tomorrow(today=today)),
        ),
        ("action items overdue", ids(coordination_selectors.action_items_overdue(today=today))),
    ]


def _settle_reminder_bounds() -> int:
    """Each meeting's reminder bound, as a running system keeps it (the reminder sweep refreshes
    2,000 a run); a fresh load has none, and its sweep would read every meeting (900 ms)."""
    from django.utils import timezone

    from coordination.models import Meeting
    from coordination.services.sweeps import meeting_reminder_bounds_refresh

    now = timezone.now()
    settled = 0
    for _ in range(1000):  # a bound, should a meeting refuse to settle
        refreshed = meeting_reminder_bounds_refresh(now=now, limit=2000)
        settled += refreshed
        if refreshed < 2000:
            break
    if settled and connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as autovacuum does after so many changed rows
            cursor.execute(f"ANALYZE {Meeting._meta.db_table}")
    return settled


class _RolledBack(Exception):
    pass


def _fan_out(municipality) -> dict[str, int]:
    """What one referral arriving at the municipality writes: notifications and e-mails, by the
    real notifier, in a transaction rolled back (the database is left as it was)."""
    from django.db import transaction

    from notifications.models import Delivery, Notification
    from referrals import notifications
    from referrals.models import EventName, Referral, ReferralEvent, State

    referral = Referral.objects.filter(to_organisation=municipality).order_by("-id").first()
    figures = {"staff": notifications._staff(municipality).count()}
    with contextlib.suppress(_RolledBack), transaction.atomic():
        notices, emails = Notification.objects.count(), Delivery.objects.count()
        event = ReferralEvent.objects.create(
            referral=referral,
            name=EventName.SUBMITTED,
            from_state=State.DRAFT,
            to_state=State.SUBMITTED,
        )
        notifications.event_notify(event_id=event.pk)
        figures["notifications"] = Notification.objects.count() - notices
        figures["emails"] = Delivery.objects.count() - emails
        raise _RolledBack
    return figures


def main() -> None:
    from organisations.models import Membership, Organisation, Role
    from referrals.models import Referral

    with contextlib.suppress(RuntimeError):  # set up already when run from the test suite
        setup_test_environment()
    municipality = Organisation.objects.get(name="Load municipality")
    personas = {
        MUNICIPAL: Membership.objects.filter(
            organisation=municipality, role=Role.CASEWORKER, is_active=True
        ).first(),
        "CSO caseworker": Membership.objects.filter(role=Role.CASEWORKER, is_active=True)
        .exclude(organisation=municipality)
        .first(),
    }
    total = Referral.objects.count()
    results = []
    print(
        f"Relais at city scale on {connection.vendor}: {total} referrals; "
        f"{REQUESTS} requests each, interleaved with the reference\n"
    )
    print(f"  {'what':<58} {'p50':>8} {'p95':>8} {'ref p95':>9} {'ratio':>6}  target")
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        AXES_ENABLED=False,
        REQUIRE_2FA_FOR_PRIVILEGED=False,
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        for persona, membership in personas.items():
            client = Client()
            client.force_login(membership.user)
            reference = _reference(membership.user)
            deep = (
                Referral.objects.filter(to_organisation=membership.organisation)
                .order_by("-id")
                .values_list("pk", flat=True)[2500:2501]
            )
            before = deep[0] if deep else None
            pages = [
                ("api: inbox, page 1", "/api/v1/referrals/?box=inbox"),
                ("api: inbox, state=accepted", "/api/v1/referrals/?box=inbox&state=accepted"),
                ("api: inbox, overdue=true", "/api/v1/referrals/?box=inbox&overdue=true"),
                ("api: outbox, page 1", "/api/v1/referrals/?box=outbox"),
                ("web: inbox, page 1", "/referrals/?box=inbox"),
                ("web: inbox, state=accepted", "/referrals/?box=inbox&state=accepted"),
                ("web: outbox, page 1", "/referrals/?box=outbox"),
            ]
            if before:
                pages.append(("web: inbox, page 100", f"/referrals/?box=inbox&before={before}"))
            for label, url in pages:
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                mine, theirs = [], []
                for _ in range(REQUESTS):
                    mine.append(_timed(lambda url=url, client=client: client.get(url)))
                    theirs.append(_timed(reference))
                    reset_queries()
                p50, p95 = _percentiles(mine)
                _, ref95 = _percentiles(theirs)
                ratio = ref95 / p95 if p95 else 0.0
                judged = total >= RATIO_FROM_REFERRALS and persona == MUNICIPAL
                passed = p95 < TARGET_MS and (ratio >= TARGET_RATIO or not judged)
                row = {
                    "persona": persona,
                    "what": label,
                    "p50_ms": round(p50, 1),
                    "p95_ms": round(p95, 1),
                    "reference_p95_ms": round(ref95, 1),
                    "ratio": round(ratio, 1),
                    "pass": passed,
                }
                results.append(row)
                print(
                    f"  {persona + ' · ' + label:<58} {p50:7.1f}  {p95:7.1f}  {ref95:8.1f} "
                    f"{ratio:5.1f}×  p95<{TARGET_MS:.0f} ms"
                    f"{f', ≥{TARGET_RATIO:.0f}×' if judged else ''}: "
                    f"{'PASS' if passed else 'FAIL'}"
                )
    start = time.perf_counter()
    settled = _settle_reminder_bounds()
    print(
        f"\n  Meeting reminder bounds settled: {settled:,} meetings in "
        f"{time.perf_counter() - start:.0f} s (once after a load; the sweep keeps them)"
    )
    print(f"\n  {'sweep (the query it starts with)':<58} {'p50':>8} {'p95':>8}  target")
    for label, query in _sweeps():
        query()
        timings = [_timed(query) for _ in range(REQUESTS)]
        p50, p95 = _percentiles(timings)
        passed = p95 < SWEEP_TARGET_MS
        results.append(
            {
                "persona": "beat",
                "what": f"sweep: {label}",
                "p50_ms": round(p50, 2),
                "p95_ms": round(p95, 2),
                "pass": passed,
            }
        )
        print(
            f"  {label:<58} {p50:7.2f}  {p95:7.2f}  p95<{SWEEP_TARGET_MS:.0f} ms: "
            f"{'PASS' if passed else 'FAIL'}"
        )
    fan_out = _fan_out(municipality)
    print(
        f"\n  One referral arriving at the municipality ({fan_out['staff']} caseworkers and "
        f"supervisors): {fan_out['notifications']} notifications, {fan_out['emails']} e-mails "
        "(its intake team; the others read the morning summary)"
    )
    out = report.record(
        f"city@{total}", {"referrals": total, "results": results, "fan_out": fan_out}
    )
    print(f"\nWritten to {out}")


if __name__ == "__main__":
    main()
