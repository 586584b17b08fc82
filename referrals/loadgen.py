"""A city at load-test scale, written in bulk (``manage.py seed_load``, issue 13).

Skewed as a real city is: one municipality receives about a fifth of the referrals and has a
large staff; the other organisations are CSOs of a few people. A year of referrals in a realistic
mix of states (most ended; the last days still awaiting an answer). Permission rows are those
the submit path leaves, written by the same functions the services use, in bulk
(``permissions.cases_grant_owners_bulk``, ``permissions.referral_grant_bulk``).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from coordination.models import CoordinationGroup, Meeting
from organisations import permissions as organisation_permissions
from organisations.models import Membership, Organisation, OrganisationKind, Role, RoleGroup
from referrals import permissions
from referrals.models import RESPONSE_TIME, Case, Referral, State

BATCH = 20_000
PASSWORD = "load-password-1"  # noqa: S105 - every load user's: the database is a throwaway
PREFIX = "load"
INTAKE_TEAM = 5  # the municipality's first members, caseworkers all (roles below)

# Answered referrals: most ended, some still in care (recent ones only).
_ANSWERED = [
    *[State.COMPLETED] * 10,
    *[State.DECLINED] * 3,
    State.EXPIRED,
    State.WITHDRAWN,
    State.IN_PROGRESS,
    State.ACCEPTED,
    State.ON_HOLD,
]
_RECENT = [State.SUBMITTED, State.ACKNOWLEDGED, State.ACCEPTED, State.COMPLETED]
_IN_CARE = {State.IN_PROGRESS, State.ACCEPTED, State.ON_HOLD}
_CLOSED = {State.COMPLETED, State.DECLINED, State.EXPIRED, State.WITHDRAWN}
_CATEGORIES = ["emergency_shelter", "food", "health", "legal_aid", "psychosocial", "documentation"]
_CITIES = ["Sfax", "Tunis", "Sousse", "Médenine"]


@dataclass
class Loaded:
    organisations: int
    users: int
    cases: int
    referrals: int
    meetings: int
    seconds: float


def _batches(total: int) -> Iterator[range]:
    for start in range(0, total, BATCH):
        yield range(start, min(start + BATCH, total))


def _hash(i: int) -> int:
    return (i * 2654435761) % 4294967296  # spreads i over 32 bits: states independent of ids


def build(
    *,
    organisations: int,
    users: int,
    referrals: int,
    meetings: int,
    say: Callable[[str], None] = lambda _: None,
) -> Loaded:
    """Write the city; ``say`` hears of each step."""
    if organisations < 2:
        raise ValueError("At least two organisations: a municipality and a CSO.")
    start = time.perf_counter()
    orgs = _organisations(organisations)
    say(f"{len(orgs)} organisations")
    staff = _users(orgs, users)
    say(f"{users} users and their memberships")
    cases = _cases(orgs, referrals)
    say(f"{cases} cases")
    done = _referrals(orgs, staff, referrals)
    say(f"{done} referrals and their permissions")
    held = _meetings(orgs, staff, meetings)
    say(f"{held} meetings")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # What autovacuum leaves in a live database: statistics, and the visibility map
            # that lets index-only scans skip the table (VACUUM cannot run in a transaction).
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    return Loaded(len(orgs), users, cases, done, held, time.perf_counter() - start)


def _organisations(total: int) -> list[Organisation]:
    Organisation.objects.bulk_create(
        Organisation(
            name=f"Load CSO {i:04d}" if i else "Load municipality",
            kind=OrganisationKind.MUNICIPALITY if i == 0 else OrganisationKind.CSO,
            city=_CITIES[i % len(_CITIES)] if i else "Sfax",
            is_verified=True,
        )
        for i in range(total)
    )
    orgs = list(Organisation.objects.filter(name__startswith="Load CSO ").order_by("name"))
    orgs.insert(0, Organisation.objects.get(name="Load municipality"))
    for organisation in orgs:
        organisation_permissions.role_groups_ensure(organisation=organisation)
    return orgs


def _users(orgs: list[Organisation], total: int) -> dict[int, list[int]]:
    """Users, their memberships and their role groups; the municipality takes 3% of them
    (60 of 2,000), the others a few each. Returns each organisation's caseworker ids."""
    model = get_user_model()
    password = make_password(PASSWORD)
    model.objects.bulk_create(
        model(
            username=f"{PREFIX}.{i:05d}", email=f"{PREFIX}.{i:05d}@example.org", password=password
        )
        for i in range(total)
    )
    ids = list(
        model.objects.filter(username__startswith=f"{PREFIX}.")
        .order_by("username")
        .values_list("pk", flat=True)
    )
    municipal = max(1, total * 3 // 100)
    roles = [Role.CASEWORKER] * 7 + [Role.SUPERVISOR] * 2 + [Role.ADMIN]
    memberships, caseworkers = [], {}
    for i, user_id in enumerate(ids):
        organisation = orgs[0] if i < municipal else orgs[1 + i % (len(orgs) - 1)]
        role = roles[i % len(roles)]
        # The municipality's first five caseworkers are its intake team (told at once of each
        # referral); smaller organisations have none and tell all their staff.
        intake = organisation is orgs[0] and role == Role.CASEWORKER and i < INTAKE_TEAM
        memberships.append(
            Membership(user_id=user_id, organisation=organisation, role=role, intake=intake)
        )
        if role == Role.CASEWORKER:
            caseworkers.setdefault(organisation.pk, []).append(user_id)
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    groups = {
        (rg.organisation_id, rg.role): rg.group_id
        for rg in RoleGroup.objects.filter(organisation__in=orgs)
    }
    model.groups.through.objects.bulk_create(
        (
            model.groups.through(user_id=m.user_id, group_id=groups[(m.organisation.pk, m.role)])
            for m in memberships
        ),
        batch_size=BATCH,
    )
    return caseworkers


def _sender_index(orgs: list[Organisation], i: int) -> int:
    return 1 + (i * 13) % (len(orgs) - 1)


def _sender(orgs: list[Organisation], i: int) -> Organisation:
    return orgs[_sender_index(orgs, i)]


def _cases(orgs: list[Organisation], referrals: int) -> int:
    """One case for every two referrals, owned by the CSO that sends them."""
    total = max(1, referrals // 2)
    for batch in _batches(total):
        with transaction.atomic():
            created = Case.objects.bulk_create(
                Case(
                    owner=_sender(orgs, 2 * i),
                    reference=f"C-L{i:08d}",
                    given_name=f"Person {i}",
                    age_band=("18-25", "26-59", "12-17")[i % 3],
                    sex=("female", "male")[i % 2],
                )
                for i in batch
            )
            permissions.cases_grant_owners_bulk(created, orgs[1:])
    return total


def _referrals(orgs: list[Organisation], caseworkers: dict[int, list[int]], total: int) -> int:
    now = timezone.now()
    retention = datetime.timedelta(days=settings.REFERRAL_RETENTION_DAYS)
    first_case = Case.objects.filter(reference="C-L00000000").values_list("pk", flat=True).get()
    municipality = orgs[0]
    for batch in _batches(total):
        rows = []
        for i in batch:
            spread = _hash(i)
            age = spread % 365
            if age < 3:
                state = _RECENT[spread // 365 % len(_RECENT)]
            else:
                state = _ANSWERED[spread // 365 % len(_ANSWERED)]
                if state in _IN_CARE and age > 90:
                    state = State.COMPLETED
            csos = len(orgs) - 1
            k = _sender_index(orgs, i - i % 2)
            sender, receiver = orgs[k], municipality
            if i % 5 and csos > 1:  # four in five go to a CSO other than the sender
                receiver = orgs[1 + (k + i % 97 % (csos - 1)) % csos]
            submitted = now - datetime.timedelta(days=age, hours=spread % 24)
            answered = submitted + datetime.timedelta(hours=1 + i % 70)
            urgency = ("emergency", "high", "normal")[i % 3]
            response = RESPONSE_TIME[urgency]
            workers = caseworkers.get(receiver.pk) or [None]
            closed = (
                min(answered + datetime.timedelta(days=i % 20), now) if state in _CLOSED else None
            )
            rows.append(
                Referral(
                    case_id=first_case + i // 2,
                    from_organisation=sender,
                    to_organisation=receiver,
                    service_category=_CATEGORIES[i % len(_CATEGORIES)],
                    urgency=urgency,
                    reason="Load test",
                    state=state,
                    submitted_at=submitted,
                    remind_at=submitted + response / 2,
                    due_at=submitted + response,
                    expires_at=submitted + response * 2,
                    acknowledged_at=None if state == State.SUBMITTED else submitted,
                    answered_at=answered if state not in _RECENT[:2] else None,
                    closed_at=closed,
                    # The retention sweep has ended the receiver's access to the older ones.
                    shared_data_revoked_at=closed + retention
                    if closed and closed + retention < now
                    else None,
                    assignee_id=workers[i % len(workers)] if state in _IN_CARE else None,
                    shared_data={"reference": f"C-L{i // 2:08d}", "given_name": f"Person {i // 2}"},
                )
            )
        with transaction.atomic():
            permissions.referral_grant_bulk(Referral.objects.bulk_create(rows))
    return total


def _meetings(orgs: list[Organisation], caseworkers: dict[int, list[int]], total: int) -> int:
    """Coordination groups of twenty organisations; single meetings spread over two years
    around today, a tenth of them monthly series."""
    if not total:
        return 0
    groups = []
    for g, first in enumerate(range(0, len(orgs), 20)):
        group = CoordinationGroup.objects.create(
            name=f"Load coordination group {g:03d}", convening_organisation=orgs[0]
        )
        group.members.add(*orgs[first : first + 20], orgs[0])
        groups.append(group)
    now = timezone.now()
    for batch in _batches(total):
        rows = []
        for i in batch:
            start = now + datetime.timedelta(days=_hash(i) % 730 - 365, hours=i % 8)
            local = timezone.localtime(start)
            rows.append(
                Meeting(
                    group=groups[i % len(groups)],
                    title=f"Coordination meeting {i}",
                    start_date=local.date(),
                    start_time=local.time().replace(second=0, microsecond=0),
                    rrule="FREQ=MONTHLY;BYDAY=1TU" if i % 10 == 0 else "",
                    first_start=start,
                    last_end=None if i % 10 == 0 else start + datetime.timedelta(hours=2),
                )
            )
        Meeting.objects.bulk_create(rows)
    return total
