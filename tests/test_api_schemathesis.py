"""The API keeps to its schema: schemathesis, every check, against the live server, as three roles.

The schema is the one the server publishes, with one change: an id that names an object
(a path's ``{id}``, a body's ``case`` or ``to_organisation``, a ``group`` filter...) is narrowed
to the ids that exist, as schemathesis asks ("supply the identifiers"), so that a valid request
means an object that is there. Everything else is generated: examples, the coverage phase's
boundary and invalid values, and fuzzing, with all checks (server errors, status codes, content
types, response schemas, rejection of invalid data, acceptance of valid data, auth...).

The budget is bounded (``SCHEMATHESIS_MAX_EXAMPLES``, ``SCHEMATHESIS_MAX_TIME`` per role: 8 and
30 s, about two minutes in all) to keep CI well under its limit; ``make fuzz`` runs it alone with
a larger budget for a longer hunt. It is marked slow: ``make test-fast`` leaves it out.
The token and logout endpoints are left out (logging out would end the run's own token; the
token endpoint is throttled): their behaviour is tested in ``tests/config/test_api_tokens.py``.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from config.errors import NotAllowed
from coordination import services as coordination_services
from coordination.models import (
    ActionItem,
    ActionPlan,
    Activity,
    ContingencyPlan,
    CoordinationGroup,
    Decision,
    Indicator,
    IndicatorReport,
    Meeting,
    Objective,
    Occurrence,
    Pathway,
    TermsOfReference,
)
from coordination.permissions import group_sync
from notifications.models import Notification
from organisations.models import Membership, Organisation, Service, UnlistedOrganisation
from organisations.selectors import memberships_of
from referrals import selectors, services
from referrals.insight import scope
from referrals.models import Case, Consent, ExternalReferral, Referral, State
from tests.factories import ServiceFactory
from tests.referrals.conftest import build_world, obtain_token

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "8")
MAX_TIME = os.environ.get("SCHEMATHESIS_MAX_TIME", "30")
ROLES = ("sender_worker", "receiver_supervisor", "coordinator")
REPORT_DIR = os.environ.get("SCHEMATHESIS_REPORT_DIR", "")
# A hunt as one role, on some operations: SCHEMATHESIS_ROLES=coordinator
# SCHEMATHESIS_INCLUDE=meetings (a path regex).
ONLY_ROLES = [r for r in os.environ.get("SCHEMATHESIS_ROLES", "").split(",") if r]
INCLUDE = os.environ.get("SCHEMATHESIS_INCLUDE", "")


# What a role can name in a body: ids it may use, so that a request the schema calls valid is one
# the role could make (schemathesis: "supply the identifiers"). Other rules the schema cannot
# state (a service offered by the named organisation, a period that ends after it starts) are
# kept by the hooks in ``tests/schemathesis_hooks.py``.
def usable_ids(world, user) -> dict[str, list[int]]:
    from django.contrib.auth import get_user_model

    own = set(memberships_of(user).values_list("organisation_id", flat=True))
    active = set(Organisation.objects.active().values_list("pk", flat=True))
    group_members = sorted(world.group.members.values_list("pk", flat=True))
    return {
        "case": _ids(selectors.case_list(user=user)),
        "to_organisation": sorted(active - own),
        "recipient": sorted(active - own),
        "suggested_organisation": sorted(active - own),
        "convening_organisation": sorted(own) or _ids(Organisation.objects.all()),
        "owner_organisation": group_members,
        "organisation": sorted(own),  # a new case's owner
        "members": group_members,
        "invited_organisations": group_members,
        "group": _ids(CoordinationGroup.objects.all()),
        "meeting": _ids(Meeting.objects.all()),
        "service": _ids(Service.objects.exclude(organisation_id__in=own)),
        "assignee": _ids(
            Membership.objects.active().filter(organisation=world.receiver), "user_id"
        ),
        "owner_user": _ids(
            Membership.objects.active().filter(organisation_id__in=group_members), "user_id"
        ),
        "coordinators": _ids(get_user_model().objects.filter(is_active=True)),
        "stats": _stats_scope(user),
        # The mechanism: what the role's groups hold.
        "plan": _ids(ActionPlan.objects.filter(group=world.group)),
        "objective": _ids(Objective.objects.filter(plan__group=world.group)),
        "activity": _ids(Activity.objects.filter(plan__group=world.group)),
        "indicator": _ids(Indicator.objects.filter(plan__group=world.group)),
        "decision": _ids(Decision.objects.filter(occurrence__meeting__group=world.group)),
        "lead_organisation": group_members,
        "unlisted_organisation": _ids(
            UnlistedOrganisation.objects.filter(
                Q(in_directory=True) | Q(recorded_by_id__in=own), merged_into__isnull=True
            )
        ),
        "partners": group_members,
    }


def _stats_scope(user) -> dict[str, dict]:
    try:
        chosen = scope.scope_resolve(user, "")
    except NotAllowed:
        return {}  # no statistics for this role: every request is a 403
    return {
        "scope": {"type": "string", "enum": [f"{chosen.kind}:{chosen.pk}"]},
        "organisation": {"type": "integer", "enum": [o.pk for o in chosen.organisations]},
    }


PATHS = {
    "/api/v1/referrals/{id}/": Referral,
    "/api/v1/cases/{id}/": Case,
    "/api/v1/meetings/{id}/": Meeting,
    "/api/v1/action-items/{id}/": ActionItem,
    "/api/v1/organisations/{id}/": Organisation,
    "/api/v1/services/{id}/": Service,
    "/api/v1/coordination-groups/{id}/": CoordinationGroup,
    "/api/v1/notifications/{id}/": Notification,
    "/api/v1/plans/{id}/": ActionPlan,
    "/api/v1/plan-objectives/{id}/": Objective,
    "/api/v1/plan-activities/{id}/": Activity,
    "/api/v1/indicators/{id}/": Indicator,
    "/api/v1/indicator-reports/{id}/": IndicatorReport,
    "/api/v1/pathways/{id}/": Pathway,
    "/api/v1/terms/{id}/": TermsOfReference,
    "/api/v1/contingency-plans/{id}/": ContingencyPlan,
    "/api/v1/external-referrals/{id}/": ExternalReferral,
}

# Rules that a JSON schema cannot state and that depend on the calendar or on the data: for these
# operations a 400 naming the rule is a valid request's answer too. Everything else still applies.
SEMANTIC_400 = [
    # The recurrence rule must produce the start; a sitting must exist at the time named.
    ("POST", "/api/v1/meetings/"),
    ("PATCH", "/api/v1/meetings/{id}/"),
    # The owner is an organisation or a person of the group; due no earlier than the meeting.
    ("POST", "/api/v1/action-items/"),
    ("PATCH", "/api/v1/action-items/{id}/"),
    # The expected date of a waiting list is not in the past.
    ("POST", "/api/v1/referrals/{id}/hold/"),
    # The organisation must belong to the scope, whose default (the first group one reads by
    # name) changes with the groups the run itself creates.
    ("GET", "/api/v1/stats/referrals/"),
    ("GET", "/api/v1/stats/profile/"),
    # The mechanism: a plan covers whole months; an activity's lead is a member and it ends
    # after it starts; a reported indicator names an activity of the plan, and what a value
    # means is fixed once reported; a report names a started period; a pathway's services are
    # active; an adopting decision is one of the group's; an adopted version does not change.
    ("POST", "/api/v1/plans/"),
    ("PATCH", "/api/v1/plans/{id}/"),
    ("POST", "/api/v1/plan-activities/"),
    ("PATCH", "/api/v1/plan-activities/{id}/"),
    ("POST", "/api/v1/indicators/"),
    ("PATCH", "/api/v1/indicators/{id}/"),
    ("POST", "/api/v1/indicator-reports/"),
    ("POST", "/api/v1/pathways/"),
    ("PATCH", "/api/v1/pathways/{id}/"),
    ("POST", "/api/v1/pathways/{id}/adopt/"),
    ("PATCH", "/api/v1/terms/{id}/"),
    ("POST", "/api/v1/terms/{id}/adopt/"),
    ("POST", "/api/v1/terms/{id}/endorse/"),
    # Off the platform: an organisation of the list or a new one's name; opening hours in the
    # OpenStreetMap syntax; an outcome is reported once (an unknown one may be told later).
    ("POST", "/api/v1/external-referrals/"),
    ("POST", "/api/v1/external-referrals/{id}/outcome/"),
]


def _ids(queryset, field: str = "pk") -> list[int]:
    return sorted(set(queryset.values_list(field, flat=True)))


def _narrow(prop: dict, ids: list[int]) -> dict:
    ids = ids or [0]  # nothing usable: an id that names nothing
    if prop.get("type") == "array" or "items" in prop:
        return {**prop, "items": {"type": "integer", "enum": ids}}
    narrowed = {"type": "integer", "enum": ids}
    if prop.get("nullable"):
        # OpenAPI 3.0.3: with an enum, null is allowed only when the enum lists it.
        narrowed["nullable"] = True
        narrowed["enum"] = [*ids, None]
    for key in ("readOnly", "description"):
        if key in prop:
            narrowed[key] = prop[key]
    return narrowed


def narrow_ids(schema: dict, usable: dict[str, list[int]]) -> dict:
    """The published schema, with every object id a request names narrowed to the ids the role
    may use. Request bodies get their own copy of a component: responses keep the published one."""
    components = schema["components"]["schemas"]
    for operations in schema["paths"].values():
        for operation in operations.values():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                ref = content.get("schema", {}).get("$ref", "")
                name = ref.rsplit("/", 1)[-1]
                if name not in components:
                    continue
                copy = json.loads(json.dumps(components[name]))
                for prop_name, prop in copy.get("properties", {}).items():
                    if prop_name in usable and not prop.get("readOnly"):
                        copy["properties"][prop_name] = _narrow(prop, usable[prop_name])
                components[f"{name}Request"] = copy
                content["schema"] = {"$ref": f"#/components/schemas/{name}Request"}
    return _narrow_parameters(schema, usable.get("stats", {}))


def _narrow_parameters(schema: dict, stats: dict) -> dict:
    for path, operations in schema["paths"].items():
        model = next((m for prefix, m in PATHS.items() if path.startswith(prefix)), None)
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] == "id" and model:
                    # Nothing of the kind: an id that names nothing (a 404 to check).
                    ids = _ids(model.objects.all()) or [0]
                    parameter["schema"] = {"type": "integer", "enum": ids}
                elif parameter["in"] == "path" and parameter["name"] == "consent_id":
                    parameter["schema"] = {"type": "integer", "enum": _ids(Consent.objects.all())}
                elif parameter["in"] == "path" and parameter["name"] == "membership_id":
                    ids = _ids(Membership.objects.all())
                    parameter["schema"] = {"type": "integer", "enum": ids}
                elif path.startswith("/api/v1/stats/") and parameter["name"] in stats:
                    # The figures of one scope: its own organisations (by default the first).
                    parameter["schema"] = stats[parameter["name"]]
                elif path.startswith("/api/v1/stats/") and parameter["name"] in PERIOD:
                    parameter["schema"] = {**parameter["schema"], **PERIOD[parameter["name"]]}
                # Query filters keep any whole number: an unknown id simply lists nothing.
    return schema


_YEAR = datetime.date.today().year  # noqa: DTZ011 - the server's default period is this year
# A period ends after it starts, and spans ten years at most: it starts in one of the eight
# years before this one and ends in this one.
PERIOD = {
    "start": {
        "pattern": "^(" + "|".join(str(y) for y in range(_YEAR - 8, _YEAR)) + ")-(0[1-9]|1[0-2])$"
    },
    "end": {"pattern": f"^{_YEAR}-(0[1-9]|1[0-2])$"},
}


def config_file(directory: Path) -> Path:
    lines = []
    for method, path in SEMANTIC_400:
        lines += [
            "[[operations]]",
            f'include-method = "{method}"',
            f'include-path = "{path}"',
            (
                "checks.positive_data_acceptance.expected-statuses = "
                '["2xx", "400", "401", "403", "404", "409", "429"]'
            ),
            "",
        ]
    target = directory / "schemathesis.toml"
    target.write_text("\n".join(lines))
    return target


def world_file(directory: Path) -> Path:
    """What the hooks need to know of the data: which organisation offers each service."""
    target = directory / "world.json"
    offered_by = dict(Service.objects.values_list("pk", "organisation"))
    target.write_text(json.dumps({"service_organisation": offered_by}))
    return target


def populate():
    """The referral world, with something of every kind the API serves."""
    world = build_world()
    group_sync(world.group)
    for organisation in (world.sender, world.receiver, world.third):
        ServiceFactory(organisation=organisation)
    # Every role has a case of its own organisation to refer.
    world.case(actor=world.receiver_supervisor, consent_to=(world.sender,))
    services.case_create(
        actor=world.coordinator, organisation=world.international, given_name="Omar"
    )
    case = world.case()
    for state in (State.DRAFT, State.SUBMITTED, State.ACCEPTED, State.IN_PROGRESS):
        world.referral(state, case=case)
    # Referrals off the platform: one awaiting its outcome, in the directory for others too.
    services.external_referral_create(
        case=case,
        actor=world.sender_worker,
        service_category="legal_aid",
        name="Avocats sans frontières",
        in_directory=True,
    )
    start = timezone.localtime() + datetime.timedelta(days=3)
    meeting = coordination_services.meeting_schedule(
        actor=world.coordinator,
        group=world.group,
        title="Monthly",
        start=start.replace(tzinfo=None, hour=10, minute=0, second=0, microsecond=0),
        rrule="FREQ=MONTHLY;COUNT=3",
    )
    coordination_services.action_item_create(
        actor=world.coordinator,
        meeting_id=meeting.pk,
        title="Count the beds",
        due_on=timezone.localdate() + datetime.timedelta(days=10),
        original_start=meeting.first_start,
        owner_organisation=world.sender,
    )
    Notification.objects.create(
        recipient=world.sender_worker, kind="test", key="schemathesis", subject="Hello", url="/"
    )
    _mechanism(world, meeting)
    return world


def _mechanism(world, meeting) -> None:
    """Terms adopted at the meeting, a pathway, and a plan with a reported value."""
    occurrence, _ = Occurrence.objects.get_or_create(
        meeting=meeting, original_start=meeting.first_start
    )
    decision = Decision.objects.create(occurrence=occurrence, text="Adopted")
    terms = coordination_services.terms_create(
        actor=world.coordinator, group=world.group, mandate="Refer well"
    )
    coordination_services.terms_adopt(actor=world.coordinator, terms_id=terms.pk, decision=decision)
    coordination_services.pathway_create(
        actor=world.coordinator,
        group=world.group,
        category="health",
        city="Sfax",
        title="Care",
        steps=[{"title": "See a doctor", "services": list(Service.objects.all()[:1])}],
    )
    today = timezone.localdate()
    plan = coordination_services.action_plan_create(
        actor=world.coordinator,
        group=world.group,
        title="Plan",
        start_on=datetime.date(today.year, 1, 1),
        end_on=datetime.date(today.year, 12, 31),
    )
    coordination_services.objective_save(actor=world.coordinator, plan_id=plan.pk, title="Beds")
    coordination_services.plan_create(
        actor=world.coordinator, group=world.group, title="Heat", scenario="A heat wave"
    )
    activity = coordination_services.activity_create(
        actor=world.coordinator,
        plan_id=plan.pk,
        title="Beds",
        lead_organisation=world.sender,
        start_on=plan.start_on,
        end_on=plan.end_on,
    )
    indicator = coordination_services.indicator_create(
        actor=world.coordinator, plan_id=plan.pk, activity=activity, name="Nights", target=10
    )
    coordination_services.indicator_create(
        actor=world.coordinator,
        plan_id=plan.pk,
        name="Received",
        target=10,
        source="referrals_received",
    )
    coordination_services.indicator_report(
        actor=world.sender_supervisor,
        indicator_id=indicator.pk,
        period_start=plan.start_on,
        value=3,
    )


def test_the_api_keeps_to_its_schema_for_three_roles(live_server, tmp_path: Path):
    world = populate()
    out = io.StringIO()
    call_command("spectacular", "--format", "openapi-json", stdout=out)
    published = out.getvalue()
    config = config_file(tmp_path)
    hooks_env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": str(Path(__file__).with_name("schemathesis_hooks.py")),
        "RELAIS_FUZZ_WORLD": str(world_file(tmp_path)),
    }
    failures = []
    for role in ROLES:
        if ONLY_ROLES and role not in ONLY_ROLES:
            continue
        user = getattr(world, role)
        schema_file = tmp_path / f"schema-{role}.json"
        narrowed = narrow_ids(json.loads(published), usable_ids(world, user))
        schema_file.write_text(json.dumps(narrowed))
        token = obtain_token(user.username)
        result = subprocess.run(  # noqa: S603 - our own tool with fixed arguments
            [
                str(Path(sys.executable).with_name("schemathesis")),
                "--config-file",
                str(config),
                "run",
                str(schema_file),
                "--url",
                live_server.url,
                "--checks",
                "all",
                "--phases",
                "examples,coverage,fuzzing",
                "--max-examples",
                MAX_EXAMPLES,
                "--max-time",
                MAX_TIME,
                "--workers",
                "1",
                "--exclude-path-regex",
                "/auth/",
                *(["--include-path-regex", INCLUDE] if INCLUDE else []),
                "--header",
                f"Authorization: Token {token}",
                "--seed",
                "2026",
            ],
            capture_output=True,
            text=True,
            timeout=int(MAX_TIME) + 240,
            check=False,
            cwd=tmp_path,
            env=hooks_env,
        )
        if REPORT_DIR:  # the whole report, for a hunt (the assertion shows the end of it)
            Path(REPORT_DIR).mkdir(parents=True, exist_ok=True)
            (Path(REPORT_DIR) / f"{role}.log").write_text(result.stdout + result.stderr)
        if result.returncode != 0:
            failures.append(f"--- as {role} ---\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")
    assert failures == [], "\n".join(failures)
