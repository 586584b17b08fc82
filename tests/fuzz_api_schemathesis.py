"""The API keeps to its schema: schemathesis, every check, against the live server, as three roles.

The schema is the one the server publishes, with one change: an id that names an object
(a path's ``{id}``, a body's ``case`` or ``to_organisation``, a ``group`` filter...) is narrowed
to the ids that exist, as schemathesis asks ("supply the identifiers"), so that a valid request
means an object that is there. Everything else is generated: examples, the coverage phase's
boundary and invalid values, and fuzzing, with all checks (server errors, status codes, content
types, response schemas, rejection of invalid data, acceptance of valid data, auth...).

The budget is bounded (``SCHEMATHESIS_MAX_EXAMPLES``, ``SCHEMATHESIS_MAX_TIME`` per role) to keep
CI well under its limit; raise them locally for a longer hunt. Run it with ``make fuzz`` (the file
is named so that the everyday suite does not collect it): it joins CI once it passes.
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
from django.utils import timezone

from coordination import services as coordination_services
from coordination.models import ActionItem, CoordinationGroup, Meeting
from coordination.permissions import group_sync
from notifications.models import Notification
from organisations.models import Organisation, Service
from referrals.models import Case, Consent, Referral, State
from tests.factories import ServiceFactory
from tests.referrals.conftest import build_world, obtain_token

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "8")
MAX_TIME = os.environ.get("SCHEMATHESIS_MAX_TIME", "60")
ROLES = ("sender_worker", "receiver_supervisor", "coordinator")
REPORT_DIR = os.environ.get("SCHEMATHESIS_REPORT_DIR", "")

# Which objects an id names, by the name it has in a body or a query, or by the path it is in.
FIELDS = {
    "case": Case,
    "to_organisation": Organisation,
    "recipient": Organisation,
    "suggested_organisation": Organisation,
    "convening_organisation": Organisation,
    "owner_organisation": Organisation,
    "organisation": Organisation,
    "members": Organisation,
    "invited_organisations": Organisation,
    "group": CoordinationGroup,
    "meeting": Meeting,
    "service": Service,
    "assignee": "user",
    "owner_user": "user",
    "coordinators": "user",
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
}


def _ids(model) -> list[int]:
    if model == "user":
        from django.contrib.auth import get_user_model

        model = get_user_model()
    return sorted(model.objects.values_list("pk", flat=True))


def _narrow(prop: dict, ids: list[int]) -> dict:
    if prop.get("type") == "array" or "items" in prop:
        return {**prop, "items": {"type": "integer", "enum": ids}}
    narrowed = {"type": "integer", "enum": ids}
    if prop.get("nullable"):
        narrowed["nullable"] = True
    for key in ("readOnly", "description"):
        if key in prop:
            narrowed[key] = prop[key]
    return narrowed


def narrow_ids(schema: dict) -> dict:
    """The published schema, with every object id narrowed to the ids that exist."""
    for component in schema["components"]["schemas"].values():
        for name, prop in component.get("properties", {}).items():
            if name in FIELDS and not prop.get("readOnly"):
                component["properties"][name] = _narrow(prop, _ids(FIELDS[name]))
    for path, operations in schema["paths"].items():
        model = next((m for prefix, m in PATHS.items() if path.startswith(prefix)), None)
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] == "id" and model:
                    parameter["schema"] = {"type": "integer", "enum": _ids(model)}
                elif parameter["in"] == "path" and parameter["name"] == "consent_id":
                    parameter["schema"] = {"type": "integer", "enum": _ids(Consent)}
                # Query filters keep any whole number: an unknown id simply lists nothing.
    return schema


def populate():
    """The referral world, with something of every kind the API serves."""
    world = build_world()
    group_sync(world.group)
    for organisation in (world.sender, world.receiver, world.third):
        ServiceFactory(organisation=organisation)
    case = world.case()
    for state in (State.DRAFT, State.SUBMITTED, State.ACCEPTED, State.IN_PROGRESS):
        world.referral(state, case=case)
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
    return world


def test_the_api_keeps_to_its_schema_for_three_roles(live_server, tmp_path: Path):
    world = populate()
    out = io.StringIO()
    call_command("spectacular", "--format", "openapi-json", stdout=out)
    schema_file = tmp_path / "schema.json"
    schema_file.write_text(json.dumps(narrow_ids(json.loads(out.getvalue()))))
    failures = []
    for role in ROLES:
        token = obtain_token(getattr(world, role).username)
        result = subprocess.run(  # noqa: S603 - our own tool with fixed arguments
            [
                str(Path(sys.executable).with_name("schemathesis")),
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
        )
        if REPORT_DIR:  # the whole report, for a hunt (the assertion shows the end of it)
            Path(REPORT_DIR).mkdir(parents=True, exist_ok=True)
            (Path(REPORT_DIR) / f"{role}.log").write_text(result.stdout + result.stderr)
        if result.returncode != 0:
            failures.append(f"--- as {role} ---\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")
    assert failures == [], "\n".join(failures)
