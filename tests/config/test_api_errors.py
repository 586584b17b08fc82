"""The one exception handler maps the services' typed errors to the contract's status codes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from rest_framework.exceptions import NotAuthenticated

from config.api import exception_handler
from config.errors import Conflict, NotAllowed, NotVisible, ServiceError, ValidationFailed


@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        (ValidationFailed("Too short.", field="reason"), 400, {"reason": ["Too short."]}),
        (ValidationFailed("Bad."), 400, {"non_field_errors": ["Bad."]}),
        (NotAllowed(), 403, {"detail": "You are not allowed to do this."}),
        (NotVisible(), 404, {"detail": "Not found."}),
        (Conflict("Already accepted."), 409, {"detail": "Already accepted."}),
        (ServiceError("Refused."), 400, {"detail": "Refused."}),
        (
            ValidationError({"email": ["Enter a valid e-mail."]}),
            400,
            {"email": ["Enter a valid e-mail."]},
        ),
        (ValidationError("Nope."), 400, {"non_field_errors": ["Nope."]}),
    ],
)
def test_it_maps_service_errors_to_status_codes(error, status, body):
    response = exception_handler(error, {})

    assert response.status_code == status
    assert response.data == body


def test_it_leaves_other_errors_to_drf():
    assert exception_handler(NotAuthenticated(), {}).status_code == 401
    assert exception_handler(RuntimeError("boom"), {}) is None


def test_a_body_too_large_is_a_json_413_and_nothing_is_read(db, client):
    from tests.factories import OrganisationFactory, member

    user = member(OrganisationFactory(), "caseworker")
    client.force_login(user)
    body = '{"given_name": "' + "x" * (10 * 1024 * 1024) + '"}'
    response = client.post("/api/v1/cases/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_every_operation_documents_its_error_answers():
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("spectacular", "--format", "openapi-json", stdout=out)
    schema = json.loads(out.getvalue())
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            wanted = set()
            if operation.get("security") not in ([{}], None) and {} not in operation["security"]:
                wanted |= {"401", "403"}
            if "{" in path:
                wanted.add("404")
            if method in ("post", "patch", "put"):
                wanted |= {"400", "413"}
            missing.extend(f"{method.upper()} {path} {code}" for code in wanted - codes)
            for code in codes & {"400", "401", "403", "404", "409"}:
                body = operation["responses"][code]["content"]["application/json"]["schema"]
                assert body["$ref"].endswith(("/Error", "/FieldErrors")), (path, code)
    assert missing == []


@pytest.mark.parametrize(
    "url",
    ["/api/v1/referrals/1.2/", "/api/v1/nothing-here/", "/api/v1/cases/%2F/consents/"],
)
def test_an_api_url_nothing_answers_is_a_json_404(db, client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_an_error_asked_for_as_a_calendar_is_still_json(db, client):
    from tests.factories import OrganisationFactory, member

    client.force_login(member(OrganisationFactory(), "caseworker"))
    response = client.get("/api/v1/meetings/999/ics/", HTTP_ACCEPT="text/calendar")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("url", ["/api/v1/meetings/1/ics/", "/api/v1/organisations/"])
def test_an_empty_format_is_a_400_naming_it(db, client, url):
    """DRF read ``?format=`` as no format and answered 200 (schemathesis: the schema offers the
    named formats only)."""
    from tests.factories import OrganisationFactory, member

    client.force_login(member(OrganisationFactory(), "caseworker"))
    response = client.get(url, {"format": ""})
    assert response.status_code == 400
    assert "format" in response.json()
