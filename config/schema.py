"""What every API operation may answer besides success, in the schema (drf-spectacular hook).

The exception handler (``config.api``) produces two bodies only: field errors for 400
(``{"field": ["message", ...]}``, ``non_field_errors`` for the rest) and ``{"detail": "..."}``
for everything else. This hook documents them on each operation, from what the operation is:
any request with parameters or a body can be invalid (400); every operation behind sign-in can
be refused (401, 403); a path with an id can name nothing visible (404); a write can come too
late for the object's state or lose a race (409); a body can be too large (413).
"""

from __future__ import annotations

from typing import Any

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Each invalid field with its messages; `non_field_errors` for the rest.",
    "additionalProperties": {},
}
REASONS = {
    "400": "Invalid input: the fields at fault, each with its messages.",
    "401": "Not signed in, or the token is unknown, expired or revoked.",
    "403": "Visible, but not allowed to this user.",
    "404": "Nothing visible to this user has this id.",
    "409": "Not possible in the object's current state, or lost a concurrent change.",
    "413": "The request body is too large.",
    "429": "Too many requests: try again later.",
}


def _response(code: str) -> dict[str, Any]:
    schema = (
        {"$ref": "#/components/schemas/FieldErrors"}
        if code == "400"
        else {"$ref": "#/components/schemas/Error"}
    )
    return {"description": REASONS[code], "content": {"application/json": {"schema": schema}}}


def add_error_responses(result: dict, generator: Any, request: Any, public: bool) -> dict:
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR)
    components.setdefault("FieldErrors", FIELD_ERRORS)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            codes = set()
            parameters = operation.get("parameters", [])
            has_body = "requestBody" in operation or method in {"post", "put", "patch"}
            if has_body or any(p.get("in") == "query" for p in parameters):
                codes.add("400")
            if operation.get("security") != [{}] and {} not in operation.get("security", []):
                codes |= {"401", "403"}
            # A path with an id, or an operation that looks one thing up (``x-finds-one``).
            if "{" in path or operation.pop("x-finds-one", False):
                codes.add("404")
            if method in {"post", "put", "patch", "delete"}:
                codes |= {"413"} if "/auth/" in path else {"409", "413"}
            if path.endswith("/auth/token/"):
                codes |= {"429", "403"}
            responses = operation.setdefault("responses", {})
            for code in sorted(codes):
                responses.setdefault(code, _response(code))
    return result
