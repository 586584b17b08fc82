"""Every query parameter the schema documents is enforced as documented (issue 10).

Derived from the published schema, not a hand-kept list: for each GET operation without a path
parameter, each documented parameter that is not free text is sent empty (``?state=``: neither a
state nor absent) and, where the schema gives a minimum, one below it; the API answers 400 naming
the parameter, while the documented minimum itself is accepted. Text parameters may be empty.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import call_command

from coordination.permissions import group_sync
from tests.referrals.conftest import build_world, client_for

# A valid value for each parameter an operation requires (a new required one must be added here).
SAMPLES = {"city": "Sfax", "reference": "C-NOTHING"}


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    out = io.StringIO()
    with django_db_blocker.unblock():
        call_command("spectacular", "--format", "openapi-json", stdout=out)
    return json.loads(out.getvalue())


def _query_parameters(schema: dict) -> list[tuple[str, dict]]:
    return [
        (path, parameter)
        for path, operations in schema["paths"].items()
        if "{" not in path and "get" in operations and "/auth/" not in path
        for parameter in operations["get"].get("parameters", [])
        if parameter["in"] == "query"
    ]


def _is_text(parameter: dict) -> bool:
    """Whether the schema allows the empty string."""
    return _allows_empty(parameter.get("schema", {}))


def _allows_empty(spec: dict) -> bool:
    if "oneOf" in spec:
        return any(_allows_empty(alternative) for alternative in spec["oneOf"])
    if spec.get("type") != "string" or "enum" in spec or spec.get("minLength", 0) > 0:
        return False
    return "pattern" not in spec or re.search(spec["pattern"], "") is not None


@pytest.mark.django_db
def test_every_documented_query_parameter_is_enforced_as_documented(schema):
    world = build_world()
    group_sync(world.group)
    # Each list asked by a role that may read it (the access log is for supervisors).
    clients = [client_for(world.coordinator), client_for(world.sender_supervisor)]
    parameters = _query_parameters(schema)
    assert len(parameters) >= 25  # the lists, the directory and the statistics
    wrong = []
    required: dict[str, dict] = {}
    for path, parameter in parameters:
        if parameter.get("required"):
            required.setdefault(path, {})[parameter["name"]] = SAMPLES[parameter["name"]]
    for path, parameter in parameters:
        name, spec = parameter["name"], parameter.get("schema", {})
        base = {k: v for k, v in required.get(path, {}).items() if k != name}
        client = next(c for c in clients if c.get(path, base).status_code != 403)
        if name == "cursor":  # an opaque token: an unreadable one is the first page (documented)
            continue
        empty = client.get(path, {**base, name: ""})
        if _is_text(parameter):
            if empty.status_code != 200:
                wrong.append(f"{path}?{name}= → {empty.status_code} (text may be empty)")
        elif empty.status_code != 400 or name not in empty.json():
            wrong.append(f"{path}?{name}= → {empty.status_code} {empty.content[:120]!r}")
        if "minimum" in spec:
            below = client.get(path, {**base, name: int(spec["minimum"]) - 1})
            if below.status_code != 400 or name not in below.json():
                wrong.append(f"{path}?{name}={int(spec['minimum']) - 1} → {below.status_code}")
            # The minimum itself passes the range check (an id may still name nothing usable:
            # then the answer is another error, never the one "below" got).
            at = client.get(path, {**base, name: int(spec["minimum"])})
            refused_as_below = at.status_code == 400 and at.json().get(name) == below.json()[name]
            if at.status_code >= 500 or refused_as_below:
                wrong.append(f"{path}?{name}={spec['minimum']} → {at.status_code}")
    assert wrong == [], "\n".join(wrong)
