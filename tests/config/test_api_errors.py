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
