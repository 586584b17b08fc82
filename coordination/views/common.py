"""Helpers of the coordination pages: 404 for what the user may not see, 403 for what
they see but may not change."""

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from config.errors import NotAllowed, NotVisible, ServiceError
from coordination import permissions, recurrence, schedule, selectors
from coordination.models import CoordinationGroup, Meeting
from coordination.schedule import Sitting

# Helpers ----------------------------------------------------------------------------------------


def visible_group(request: HttpRequest, pk: int) -> CoordinationGroup:
    group = selectors.group_get(request.user, pk)
    if group is None:
        raise Http404
    return group


def coordinated_group(request: HttpRequest, pk: int) -> CoordinationGroup:
    group = visible_group(request, pk)
    if not permissions.can_coordinate(request.user, group):
        raise PermissionDenied
    return group


def visible_meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = selectors.meeting_get(request.user, pk)
    if meeting is None:
        raise Http404
    return meeting


def coordinated_meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = visible_meeting(request, pk)
    if not permissions.can_coordinate(request.user, meeting.group):
        raise PermissionDenied
    return meeting


def sitting_or_404(meeting: Meeting, stamp: str) -> Sitting:
    original = recurrence.parse_stamp(stamp)
    sitting = schedule.sitting_at(meeting, original) if original else None
    if sitting is None:
        raise Http404
    return sitting


def original_or_404(stamp: str) -> datetime.datetime:
    original = recurrence.parse_stamp(stamp)
    if original is None:
        raise Http404
    return original


def failed(
    request: HttpRequest, error: ServiceError, form: Any = None, fields: dict | None = None
) -> None:
    """Map a refused service call: 404 and 403 as such, the rest as form errors or messages."""
    if isinstance(error, NotVisible):
        raise Http404 from None
    if isinstance(error, NotAllowed):
        raise PermissionDenied(str(error.message)) from None
    field = (fields or {}).get(error.field, error.field)
    if form is not None and field in getattr(form, "fields", {}):
        form.add_error(field, str(error.message))
    else:
        messages.error(request, str(error.message))


def acting_organisation(request: HttpRequest, group: CoordinationGroup) -> Any:
    """The organisation the user acts for, when it is a member of the group."""
    organisation = request.current.organisation
    if organisation is not None and any(o.pk == organisation.pk for o in group.members.all()):
        return organisation
    return None


def back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = default
    return redirect(target)


def ics_response(content: bytes, filename: str, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
