"""`make bench`: build a throwaway database at realistic size and print timings of the hot reads.

Runs on the configured database (SQLite by default; set DATABASE_URL for PostgreSQL), in a test
database created and destroyed here. Figures are medians over repeated runs. The home dashboard
and the statistics are then measured at city scale (``benchmarks.insight``: a million referrals
unless ``BENCH_INSIGHT_REFERRALS`` says otherwise; 0 skips it).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import (
    CaptureQueriesContext,
    override_settings,
    setup_test_environment,
)

ORGANISATIONS = int(os.environ.get("BENCH_ORGANISATIONS", "2000"))
SERVICES_PER_ORGANISATION = int(os.environ.get("BENCH_SERVICES", "5"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
REFERRALS = int(os.environ.get("BENCH_REFERRALS", "20000"))


def populate() -> object:
    from django.contrib.auth import get_user_model

    from organisations import services
    from organisations.models import (
        CapacityStatus,
        Organisation,
        OrganisationKind,
        Service,
        ServiceCategory,
    )

    cities = ["Sfax", "Tunis", "Sousse", "Nador", "Brital", "Gabès", "Médenine", "Kairouan"]
    categories = ServiceCategory.values
    capacities = CapacityStatus.values
    Organisation.objects.bulk_create(
        Organisation(
            name=f"Organisation {i:05d}",
            kind=OrganisationKind.CSO if i % 7 else OrganisationKind.MUNICIPALITY,
            city=cities[i % len(cities)],
            is_verified=i % 3 == 0,
        )
        for i in range(ORGANISATIONS)
    )
    organisations = list(Organisation.objects.all())
    Service.objects.bulk_create(
        Service(
            organisation=org,
            name=f"Service {j} of {org.name}",
            category=categories[(org.pk + j) % len(categories)],
            city=org.city,
            capacity_status=capacities[(org.pk * j) % len(capacities)],
            languages=["ar", "fr"],
        )
        for org in organisations
        for j in range(SERVICES_PER_ORGANISATION)
    )
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    services.membership_add(organisation=organisations[0], user=user, role="supervisor")
    return user


def populate_referrals(user: object) -> None:
    """Cases and referrals between the bench user's organisation and the others, with the
    guardian rows the services would grant, written in bulk."""
    from django.contrib.auth.models import Permission
    from django.utils import timezone

    from organisations.models import Organisation, Role, RoleGroup
    from referrals.models import (
        Case,
        CaseGroupObjectPermission,
        Referral,
        ReferralGroupObjectPermission,
    )

    home = Organisation.objects.get(memberships__user=user)
    others = list(Organisation.objects.exclude(pk=home.pk).values_list("pk", flat=True)[:200])
    groups = {
        (rg.organisation_id, rg.role): rg.group_id
        for rg in RoleGroup.objects.filter(role__in=[Role.CASEWORKER, Role.SUPERVISOR])
    }
    perm = {
        p.codename: p.pk for p in Permission.objects.filter(content_type__app_label="referrals")
    }
    Case.objects.bulk_create(
        Case(owner=home, reference=f"C-B{i:07d}", given_name=f"Person {i}")
        for i in range(REFERRALS)
    )
    cases = list(Case.objects.filter(owner=home).order_by("pk").values_list("pk", flat=True))
    CaseGroupObjectPermission.objects.bulk_create(
        CaseGroupObjectPermission(
            content_object_id=c, group_id=groups[(home.pk, role)], permission_id=perm["manage_case"]
        )
        for c in cases
        for role in (Role.CASEWORKER, Role.SUPERVISOR)
    )
    now = timezone.now()
    states = ["submitted", "acknowledged", "accepted", "in_progress", "completed", "declined"]
    # Half sent by the bench organisation, half received by it.
    Referral.objects.bulk_create(
        Referral(
            case_id=case_id,
            from_organisation_id=home.pk if i % 2 else others[i % len(others)],
            to_organisation_id=others[i % len(others)] if i % 2 else home.pk,
            service_category="health",
            reason="bench",
            state=states[i % len(states)],
            submitted_at=now,
            due_at=now,
            shared_data={"reference": f"C-B{i:07d}", "given_name": f"Person {i}"},
        )
        for i, case_id in enumerate(cases)
    )
    rows = []
    for referral in Referral.objects.values("pk", "from_organisation_id", "to_organisation_id"):
        for side, codenames in (
            ("from_organisation_id", ("view_referral", "view_shared_data", "act_as_sender")),
            ("to_organisation_id", ("view_referral", "view_shared_data", "act_as_receiver")),
        ):
            for role in (Role.CASEWORKER, Role.SUPERVISOR):
                group = groups.get((referral[side], role))
                if group is None:
                    continue
                rows.extend(
                    ReferralGroupObjectPermission(
                        content_object_id=referral["pk"], group_id=group, permission_id=perm[c]
                    )
                    for c in codenames
                )
    ReferralGroupObjectPermission.objects.bulk_create(rows, batch_size=5000)


FIGURES: list[dict[str, object]] = []  # recorded in var/bench.json under "reads"


def measure(label: str, action: Callable[[], object]) -> None:
    action()  # warm up caches and connections
    timings = []
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        action()
    for _ in range(REPEAT):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    p90 = sorted(timings)[int(len(timings) * 0.9) - 1]
    FIGURES.append(
        {
            "what": label,
            "median_ms": round(statistics.median(timings), 1),
            "p90_ms": round(p90, 1),
            "queries": len(queries),
        }
    )
    print(
        f"  {label:<52} median {statistics.median(timings):7.1f} ms"
        f"   p90 {p90:7.1f} ms   {len(queries):3d} queries"
    )


MAX_LIST_QUERIES = 8  # issue 13: every list, whatever its length

# Every API list, read at 10 and at 200 rows a page: the same number of queries, at most 8.
API_LISTS = [
    "/api/v1/organisations/",
    "/api/v1/services/",
    "/api/v1/referrals/?box=inbox",
    "/api/v1/referrals/?box=outbox",
    "/api/v1/cases/",
    "/api/v1/access-log/",
    "/api/v1/notifications/",
    "/api/v1/coordination-groups/",
    "/api/v1/meetings/",
    "/api/v1/action-items/",
    "/api/v1/alerts/",
]


def _control(sql: str) -> bool:
    """BEGIN, COMMIT, savepoints: a transaction's edges, not queries."""
    return sql.split(" ", 1)[0].upper() in {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}


def list_queries(client: Client) -> None:
    """SQL queries per API list at 10 and at 200 rows a page, for ``client`` (an API client:
    a token, as the tests count them)."""
    print(
        f"\n  {'queries per list (10 rows / 200 rows)':<52} target: equal, ≤ {MAX_LIST_QUERIES}"
        " (BEGIN and COMMIT not counted)"
    )
    for url in API_LISTS:
        counts = []
        for size in (10, 200):
            sized = f"{url}{'&' if '?' in url else '?'}page_size={size}"
            client.get(sized)  # warm the caches that live for the process
            with CaptureQueriesContext(connection) as queries:
                response = client.get(sized)
            if response.status_code != 200:
                counts.append(None)
                break
            counts.append(sum(1 for q in queries.captured_queries if not _control(q["sql"])))
        if None in counts:
            print(f"  {url:<52} not listed here ({response.status_code})")
            continue
        passed = counts[0] == counts[1] <= MAX_LIST_QUERIES
        FIGURES.append({"what": f"queries: {url}", "at_10": counts[0], "at_200": counts[1]})
        print(f"  {url:<52} {counts[0]:3d} / {counts[1]:3d}   {'PASS' if passed else 'FAIL'}")


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with override_settings(
            STORAGES={
                **settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            },
            SECURE_SSL_REDIRECT=False,
            AXES_ENABLED=False,
            # The bench user is a supervisor: no second factor to enter here.
            REQUIRE_2FA_FOR_PRIVILEGED=False,
        ):
            start = time.perf_counter()
            user = populate()
            populate_referrals(user)
            if connection.vendor == "postgresql":
                # A live database has its statistics (autovacuum); rows just loaded have none.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            print(
                f"Relais benchmarks on {connection.vendor}: {ORGANISATIONS} organisations, "
                f"{ORGANISATIONS * SERVICES_PER_ORGANISATION} services, {REFERRALS} cases and "
                f"referrals "
                f"(built in {time.perf_counter() - start:.1f} s), {REPEAT} runs each"
            )
            client = Client()
            client.force_login(user)

            def get(url: str) -> Callable[[], object]:
                def run() -> object:
                    response = client.get(url)
                    assert response.status_code == 200, (url, response.status_code)
                    return response

                return run

            measure("web: directory, first page", get("/organisations/"))
            measure(
                "web: directory, filtered (city + category)",
                get("/organisations/?city=Sfax&category=food"),
            )
            measure(
                "web: service directory, filtered",
                get("/organisations/services/?city=Tunis&capacity=available"),
            )
            measure(
                "web: who-does-what-where matrix (one city)",
                get("/organisations/matrix/?city=Sfax"),
            )
            measure("web: organisation page", get("/organisations/1/"))
            measure("api: GET /api/v1/organisations/", get("/api/v1/organisations/"))
            measure(
                "api: GET /api/v1/services/?category=&city=",
                get("/api/v1/services/?category=health&city=Sousse"),
            )
            for label, url in [
                ("web: referral inbox, first page", "/referrals/?box=inbox"),
                ("web: referral outbox, overdue only", "/referrals/?box=outbox&overdue=on"),
                ("web: case list, first page", "/cases/"),
                ("api: GET /api/v1/referrals/?box=inbox", "/api/v1/referrals/?box=inbox"),
                (
                    "api: GET /api/v1/referrals/?box=outbox&state=accepted",
                    "/api/v1/referrals/?box=outbox&state=accepted",
                ),
                ("api: GET /api/v1/cases/", "/api/v1/cases/"),
            ]:
                measure(label, get(url))

            # As API clients call it: with a token, not the browser's session.
            from config.tokens import token_create

            _, token = token_create(user=user, name="bench")
            list_queries(Client(headers={"Authorization": f"Token {token}"}))

            from benchmarks import insight, report, throughput

            FIGURES.extend(throughput.run())

            if insight.REFERRALS:
                insight.run(measure)
            report.record("reads", FIGURES)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
