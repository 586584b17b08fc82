"""What the API answers is what its schema says (issue 10): unset codes and links are null, not
"" (an enum or a URI cannot be ""), the timeline is one list, the warnings of a new referral are
documented, and every model serializer keeps to the project's base."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.urls import get_resolver
from rest_framework import serializers

from config.serializers import (
    ModelSerializer,
    OptionalChoiceField,
    OptionalEmailField,
    OptionalURLField,
    StrictCharField,
)
from tests.factories import OrganisationFactory, member


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    from io import StringIO

    out = StringIO()
    with django_db_blocker.unblock():
        call_command("spectacular", "--format", "openapi-json", stdout=out)
    return json.loads(out.getvalue())


PROJECT_APPS = {"referrals", "coordination", "organisations", "notifications", "config"}


def _project_model_serializers() -> list[type]:
    get_resolver().url_patterns  # noqa: B018 - loading the URLconf imports every API serializer
    found, todo = [], list(serializers.ModelSerializer.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in PROJECT_APPS and cls is not ModelSerializer:
            found.append(cls)
    return found


def test_every_model_serializer_derives_from_the_projects_base():
    offenders = [
        f"{cls.__module__}.{cls.__name__}"
        for cls in _project_model_serializers()
        if not issubclass(cls, ModelSerializer)
    ]
    assert offenders == [], "\n".join(offenders)
    assert len(_project_model_serializers()) >= 10


def test_blank_codes_and_links_are_null_fields_in_every_serializer():
    for cls in _project_model_serializers():
        if not hasattr(cls, "Meta") or not hasattr(cls.Meta, "model"):
            continue
        for name, field in cls().fields.items():
            source = getattr(cls.Meta.model, "_meta", None)
            try:
                model_field = source.get_field(field.source if field.source != "*" else name)
            except Exception:  # noqa: BLE001, S112 - computed fields have no column
                continue
            blank = getattr(model_field, "blank", False) and not model_field.null
            # A field answered as an enum (or a URI) cannot be "": it must be null.
            if blank and isinstance(field, serializers.ChoiceField):
                assert isinstance(field, OptionalChoiceField), f"{cls.__name__}.{name}"
            if blank and isinstance(field, serializers.URLField):
                assert isinstance(field, OptionalURLField), f"{cls.__name__}.{name}"
            if blank and isinstance(field, serializers.EmailField):
                assert isinstance(field, OptionalEmailField), f"{cls.__name__}.{name}"


def test_an_unanswered_referral_has_null_outcome_and_decline_reason(db):
    from tests.referrals.conftest import build_world, get

    world = build_world()
    referral = world.referral("submitted")
    data = get(world.sender_worker, f"/api/v1/referrals/{referral.pk}/").json()
    assert data["outcome"] is None
    assert data["decline_reason"] is None


def test_an_organisation_without_a_website_or_email_has_null(db, client):
    organisation = OrganisationFactory(website="", email="")
    client.force_login(member(organisation, "caseworker"))
    data = client.get(f"/api/v1/organisations/{organisation.pk}/").json()
    assert data["website"] is None
    assert data["email"] is None


def test_the_timeline_is_one_list_as_documented(db, schema):
    from tests.referrals.conftest import build_world, get

    world = build_world()
    referral = world.referral("submitted")
    data = get(world.sender_worker, f"/api/v1/referrals/{referral.pk}/events/").json()
    assert isinstance(data, list)
    assert data
    operation = schema["paths"]["/api/v1/referrals/{id}/events/"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["type"] == (
        "array"
    )


def test_a_new_referrals_warnings_are_in_the_schema(schema):
    operation = schema["paths"]["/api/v1/referrals/"]["post"]
    ref = operation["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    created = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert "warnings" in created["properties"]


def test_page_size_bounds_are_in_the_schema(schema):
    for path in ("/api/v1/referrals/", "/api/v1/organisations/", "/api/v1/notifications/"):
        parameters = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
        assert parameters["page_size"]["schema"] == {
            "type": "integer",
            "minimum": 1,
            "maximum": 200,
        }


REQUIRED = {
    "submit": set(),
    "approve": set(),
    "reject": {"reason"},
    "accept": set(),
    "decline": {"reason", "note"},
    "start": set(),
    "hold": {"expected_date"},
    "resume": set(),
    "complete": {"outcome", "note"},
    "withdraw": {"reason"},
    "comment": {"comment"},
}


def test_each_transition_documents_exactly_what_its_service_requires(schema):
    components = schema["components"]["schemas"]
    for name, required in REQUIRED.items():
        operation = schema["paths"][f"/api/v1/referrals/{{id}}/{name}/"]["post"]
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        body = components[ref.rsplit("/", 1)[1]]
        assert set(body.get("required", [])) == required, name
        for field in required & {"reason", "note", "comment"}:
            if "$ref" not in body["properties"][field]:
                # More than spaces, no NUL (config.serializers.SOMETHING_WRITTEN).
                assert body["properties"][field]["pattern"].startswith("^[^\\u0000]*[^"), (
                    name,
                    field,
                )


def test_a_transition_reads_only_its_own_fields(db):
    """An unrelated field (an unknown organisation in ``start``) is not even looked at."""
    from tests.referrals.conftest import build_world, post

    world = build_world()
    referral = world.referral("accepted")
    response = post(
        world.receiver_worker,
        f"/api/v1/referrals/{referral.pk}/start/",
        {"suggested_organisation": 987654, "outcome": "nonsense"},
    )
    assert response.status_code == 200, response.content


def test_a_yes_no_left_out_of_a_form_encoded_body_is_not_a_no(api_client, db):
    """DRF reads a check box missing from an HTML form as false; an empty or form-encoded API
    body that leaves a yes/no out must not decide "no" (end a membership, decline an item)."""
    from django.http import QueryDict

    from config.serializers import ModelSerializer, StrictBooleanField
    from organisations.models import Service

    class Body(serializers.Serializer):
        accept = StrictBooleanField()

    class Patch(ModelSerializer):
        class Meta:
            model = Service
            fields = ["is_active"]

    missing = Body(data=QueryDict(""))
    assert not missing.is_valid()
    assert "accept" in missing.errors
    whole = Patch(data=QueryDict(""))
    assert whole.is_valid()
    assert "is_active" not in whole.validated_data


def _project_serializers() -> list[type]:
    get_resolver().url_patterns  # noqa: B018 - loading the URLconf imports every API serializer
    found, todo = [], list(serializers.Serializer.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in PROJECT_APPS:
            found.append(cls)
    return found


def _request_components(schema: dict) -> set[str]:
    names = set()
    for operations in schema["paths"].values():
        for operation in operations.values():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                ref = content.get("schema", {}).get("$ref", "")
                names.add(ref.rsplit("/", 1)[-1].removeprefix("Patched"))
    return names


STRICT_ENOUGH = (
    StrictCharField,
    serializers.RegexField,
    serializers.URLField,
    serializers.EmailField,
)


def _text_fields_that_coerce(cls: type) -> list[str]:
    try:
        fields = cls().fields
    except Exception:  # noqa: BLE001 - serializers that need arguments to build
        return []
    return [
        name
        for name, field in fields.items()
        for candidate in (field, getattr(field, "child", None))
        if isinstance(candidate, serializers.CharField)
        and not candidate.read_only
        # A link, an address or a pattern refuses a number's text anyway.
        and not isinstance(
            candidate,
            StrictCharField
            | serializers.RegexField
            | serializers.URLField
            | serializers.EmailField,
        )
    ]


def test_no_request_field_turns_a_number_into_text(schema):
    """DRF's CharField accepts 0 or true for a text and stores "0" or "True": every writable text
    field of a request body is the project's StrictCharField (a RegexField checks its pattern)."""
    bodies = _request_components(schema)
    checked = [
        cls for cls in _project_serializers() if cls.__name__.removesuffix("Serializer") in bodies
    ]
    assert len(checked) >= 20
    offenders = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in checked
        for name in _text_fields_that_coerce(cls)
    ]
    assert offenders == [], "\n".join(offenders)


def test_the_schema_validates_without_a_warning(tmp_path, db):
    """What clients generate their code from: valid OpenAPI, and drf-spectacular guessed nothing
    (a warning means a type or a response it had to make up)."""
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert (tmp_path / "schema.yaml").stat().st_size > 50_000


def _json_schema(node):
    """OpenAPI 3.0's ``nullable`` said the JSON Schema way (jsonschema ignores the keyword)."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def _serializer_for_each_request_component(schema: dict) -> dict[str, type]:
    by_name = {cls.__name__.removesuffix("Serializer"): cls for cls in _project_serializers()}
    return {
        name: by_name[name.removeprefix("Patched")]
        for name in schema["components"]["schemas"]
        if name.removeprefix("Patched") in _request_components(schema)
        and name.removeprefix("Patched") in by_name
    }


def test_no_request_field_takes_a_value_of_another_type(schema, db):
    """What the schema says a field is, the API holds the client to: an object where a list of
    ids is expected was an empty list (a group created without its members), a number given as
    text or 0 for "no" were read as the number and the "no" (schemathesis, CI). Every writable
    property of every request body is fed each JSON value its schema refuses; each is a 400."""
    from jsonschema import Draft7Validator, FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7
    from rest_framework.test import APIRequestFactory

    organisation = OrganisationFactory()
    user = member(organisation, "admin")
    request = APIRequestFactory().post("/")
    request.user = user
    existing = str(organisation.pk)
    samples = ["", "x", existing, "true", 0, organisation.pk, 2.5, True, False, None]
    samples += [[], [organisation.pk], {}, {"id": organisation.pk}]

    formats = FormatChecker()
    formats.checks("uri")(lambda value: not isinstance(value, str) or "://" in value)
    root = _json_schema(schema)
    registry = Registry().with_resource("urn:api", Resource(root, specification=DRAFT7))
    components = root["components"]["schemas"]
    classes = _serializer_for_each_request_component(schema)
    assert len(classes) >= 20
    offenders = []
    for name, cls in sorted(classes.items()):
        declared = schema["components"]["schemas"][name].get("properties", {})
        for prop, prop_schema in components[name].get("properties", {}).items():
            if declared[prop].get("readOnly"):
                continue
            validator = Draft7Validator(
                _rebase(prop_schema), registry=registry, format_checker=formats
            )
            for value in samples:
                if validator.is_valid(value):
                    continue
                serializer = cls(data={prop: value}, partial=True, context={"request": request})
                try:
                    refused = not serializer.is_valid() and prop in serializer.errors
                except Exception as error:  # noqa: BLE001 - a crash is an offence too
                    offenders.append(f"{name}.{prop} = {value!r}: {error!r}")
                    continue
                if not refused:
                    offenders.append(f"{name}.{prop} = {value!r} accepted")
    assert offenders == [], "\n".join(offenders)


def _rebase(node):
    """Local ``#/components/...`` references point into the registered whole schema."""
    if isinstance(node, list):
        return [_rebase(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: ("urn:api" + value if key == "$ref" and value.startswith("#") else _rebase(value))
        for key, value in node.items()
    }


def _nullable_on_the_way(model, source: str) -> bool:
    """Whether following ``source`` (``owner_organisation.name``) may meet a null relation."""
    *relations, _last = source.split(".")
    for name in relations:
        try:
            field = model._meta.get_field(name)
        except Exception:  # noqa: BLE001 - a property: cannot tell, so it is not judged
            return False
        if getattr(field, "null", False):
            return True
        model = field.related_model
        if model is None:
            return False
    return False


def test_a_field_read_through_an_optional_relation_is_nullable_in_the_schema():
    """``owner_organisation_name`` is null when the item is owned by a person; the schema said a
    string (schemathesis: every action item list owned by a person broke a generated client)."""
    offenders = []
    for cls in _project_model_serializers():
        model = getattr(getattr(cls, "Meta", None), "model", None)
        if model is None:
            continue
        try:
            fields = cls().fields
        except Exception:  # noqa: BLE001, S112 - serializers that need arguments to build
            continue
        for name, field in fields.items():
            source = getattr(field, "source", "") or ""
            if "." in source and _nullable_on_the_way(model, source) and not field.allow_null:
                offenders.append(f"{cls.__module__}.{cls.__name__}.{name} ({source})")
    assert offenders == [], "\n".join(offenders)
