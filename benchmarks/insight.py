"""The home dashboard and the statistics at city scale (a million referrals by default).

200 organisations, one municipality receiving a fifth of everything, a year of referrals in a
realistic mix of states, half a million cases; a coordination group of 40 organisations. Rows
are written in bulk (no permission rows: the dashboard and the statistics read foreign keys and
states, never guardian's tables).
"""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable, Iterator

REFERRALS = int(os.environ.get("BENCH_INSIGHT_REFERRALS", "1000000"))
ORGANISATIONS = 200
BATCH = 20000

# Answered referrals: most closed, some still in care (recent ones only, see below).
ANSWERED_STATES = [
    *["completed"] * 10,
    *["declined"] * 3,
    "expired",
    "withdrawn",
    "in_progress",
    "accepted",
    "on_hold",
]
# Referrals of the last three days may still await an answer (the sweep expires the others).
RECENT_STATES = ["submitted", "acknowledged", "pending_moderation", "accepted", "completed"]
IN_CARE = {"in_progress", "accepted", "on_hold"}
CLOSED = {"completed", "declined", "expired", "withdrawn"}
ANSWERED = {"completed", "declined", "in_progress", "accepted", "on_hold"}
CATEGORIES = ["emergency_shelter", "food", "health", "legal_aid", "psychosocial", "documentation"]
REASONS = ["no_capacity", "not_eligible", "unreachable", "client_declined"]
NATIONALITIES = ["CI", "GN", "ML", "CM", "SD", "NG", "SN", "BF", "", "SL"]
LANGUAGES = [["fr"], ["fr", "ff"], ["fr", "bm"], ["fr", "en"], ["ar"], ["en"], ["fr", "wo"]]
AGES = ["18-25", "26-59", "12-17", "18-25", "26-59", "0-5"]


def _batches(total: int) -> Iterator[range]:
    for start in range(0, total, BATCH):
        yield range(start, min(start + BATCH, total))


def build() -> dict:
    """Write the city; return the personas to measure with."""
    from django.contrib.auth import get_user_model

    from coordination.models import CoordinationGroup
    from organisations import services as organisation_services
    from organisations.models import Organisation, OrganisationKind
    from referrals.models import RESPONSE_TIME, Case, Referral

    Organisation.objects.bulk_create(
        Organisation(
            name=f"City organisation {i:03d}",
            kind=OrganisationKind.MUNICIPALITY if i == 0 else OrganisationKind.CSO,
            city="Sfax",
            is_verified=True,
        )
        for i in range(ORGANISATIONS)
    )
    organisations = list(
        Organisation.objects.filter(name__startswith="City organisation ").order_by("name")
    )
    ids = [o.pk for o in organisations]
    municipality, cso = organisations[0], organisations[1]
    users = get_user_model().objects
    personas = {
        "municipal caseworker": users.create_user("city.worker", password="bench-password-1"),
        "municipal supervisor": users.create_user("city.supervisor", password="bench-password-1"),
        "CSO caseworker": users.create_user("cso.worker", password="bench-password-1"),
        "coordinator": users.create_user("city.coordinator", password="bench-password-1"),
    }
    organisation_services.membership_add(
        organisation=municipality, user=personas["municipal caseworker"], role="caseworker"
    )
    organisation_services.membership_add(
        organisation=municipality, user=personas["municipal supervisor"], role="supervisor"
    )
    organisation_services.membership_add(
        organisation=cso, user=personas["CSO caseworker"], role="caseworker"
    )
    group = CoordinationGroup.objects.create(
        name="City coordination", convening_organisation=municipality
    )
    group.members.add(*organisations[:40])
    # A coordinator reads a group's figures while one of their memberships is active.
    organisation_services.membership_add(
        organisation=municipality, user=personas["coordinator"], role="caseworker"
    )
    group.coordinators.add(personas["coordinator"])

    now = datetime.datetime.now(tz=datetime.UTC)
    cases_total = REFERRALS // 2
    first_case = None
    for batch in _batches(cases_total):
        created = Case.objects.bulk_create(
            Case(
                owner_id=ids[1 + (i * 13) % (ORGANISATIONS - 1)],
                reference=f"C-Z{i:08d}",
                age_band=AGES[i % len(AGES)],
                sex="female" if i % 5 < 2 else "male",
                nationality=NATIONALITIES[i % len(NATIONALITIES)],
                languages=LANGUAGES[i % len(LANGUAGES)],
                vulnerabilities=["homeless"] if i % 4 == 0 else [],
            )
            for i in batch
        )
        first_case = first_case or created[0].pk
    Case.objects.filter(reference__startswith="C-Z").update(
        created_at=now - datetime.timedelta(days=180)
    )
    for batch in _batches(REFERRALS):
        rows = []
        for i in batch:
            spread = (i * 2654435761) % 4294967296  # a hash: states independent of organisations
            age = spread % 365
            if age < 3:
                state = RECENT_STATES[spread // 365 % len(RECENT_STATES)]
            else:
                state = ANSWERED_STATES[spread // 365 % len(ANSWERED_STATES)]
                if state in IN_CARE and age > 90:
                    state = "completed"
            sender = ids[1 + (i * 13) % (ORGANISATIONS - 1)]
            receiver = (
                municipality.pk
                if i % 5 == 0
                else ids[1 + ((i * 13) % (ORGANISATIONS - 1) + 1 + i % 197) % (ORGANISATIONS - 1)]
            )
            submitted = now - datetime.timedelta(days=age, hours=spread % 24)
            answered = submitted + datetime.timedelta(hours=1 + i % 70)
            urgency = ("emergency", "high", "normal")[i % 3]
            response = RESPONSE_TIME[urgency]
            rows.append(
                Referral(
                    case_id=first_case + (i // 2),
                    from_organisation_id=sender,
                    to_organisation_id=receiver,
                    service_category=CATEGORIES[i % len(CATEGORIES)],
                    urgency=urgency,
                    reason="bench",
                    state=state,
                    submitted_at=submitted,
                    remind_at=submitted + response / 2,
                    due_at=submitted + response,
                    expires_at=submitted + response * 2,
                    acknowledged_at=submitted + datetime.timedelta(minutes=30 + i % 600)
                    if state not in ("submitted", "pending_moderation")
                    else None,
                    answered_at=answered if state in ANSWERED else None,
                    closed_at=min(answered + datetime.timedelta(days=i % 20), now)
                    if state in CLOSED
                    else None,
                    decline_reason=REASONS[i % len(REASONS)] if state == "declined" else "",
                    assignee=personas["municipal caseworker"]
                    if receiver == municipality.pk and state in ("in_progress", "accepted")
                    else None,
                )
            )
        Referral.objects.bulk_create(rows)
    return {"personas": personas, "group": group, "municipality": municipality}


def run(measure: Callable[[str, Callable[[], object]], None]) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    start = time.perf_counter()
    world = build()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"\nInsight at city scale: {REFERRALS} referrals, {REFERRALS // 2} cases, "
        f"{ORGANISATIONS} organisations (built in {time.perf_counter() - start:.1f} s)"
    )
    clients = {}
    for name, user in world["personas"].items():
        client = Client()
        client.force_login(user)
        clients[name] = client

    def get(client: Client, url: str) -> Callable[[], object]:
        def fetch() -> object:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return fetch

    def cold(fetch: Callable[[], object]) -> Callable[[], object]:
        def run_cold() -> object:
            cache.clear()
            return fetch()

        return run_cold

    group = world["group"].pk
    for persona in (
        "municipal caseworker",
        "municipal supervisor",
        "CSO caseworker",
        "coordinator",
    ):
        measure(f"home dashboard: {persona}", get(clients[persona], "/"))
    supervisor, coordinator = clients["municipal supervisor"], clients["coordinator"]
    reports = [
        ("api: stats/referrals, municipality, 12 months", supervisor, "/api/v1/stats/referrals/"),
        ("web: referral statistics page, municipality", supervisor, "/insight/referrals/"),
        (
            "api: stats/referrals, group of 40 organisations",
            coordinator,
            f"/api/v1/stats/referrals/?scope=group:{group}",
        ),
        (
            "api: stats/profile, group of 40 organisations",
            coordinator,
            f"/api/v1/stats/profile/?scope=group:{group}",
        ),
        (
            "web: migration profile page, group",
            coordinator,
            f"/insight/profile/?scope=group:{group}",
        ),
    ]
    for label, client, url in reports:
        measure(f"{label} (computed)", cold(get(client, url)))
        measure(f"{label} (cached)", get(client, url))
