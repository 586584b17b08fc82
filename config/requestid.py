"""A request id on every log line, from the request into the tasks it causes.

The id comes from the proxy's ``X-Request-ID`` when it is a plausible one (so that the proxy's
logs and ours can be joined), else a new one; it is answered in ``X-Request-ID``. A task
published while handling a request carries it in its headers, and the worker logs under it: a
referral event's notification and its e-mails log under the id of the request that made the
event.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

HEADER = "relais_request_id"  # the task header
_PLAUSIBLE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
current: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if _PLAUSIBLE.match(given) else uuid.uuid4().hex
        token = current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Gives every record a ``request_id`` ("-" outside any request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current.get()
        return True


def add_to_task_headers(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """``before_task_publish``: the task carries the id of the request (or task) publishing it."""
    if headers is not None and current.get() != "-":
        headers.setdefault(HEADER, current.get())


def take_from_task(task: Any = None, **kwargs: Any) -> None:
    """``task_prerun``: the worker logs under the id the task carries."""
    request_id = getattr(getattr(task, "request", None), HEADER, None)
    current.set(request_id if isinstance(request_id, str) else "-")
