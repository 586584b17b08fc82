"""Web pages for a person's requests: find the record, export everything held, erase it.

For supervisors and organisation admins of the owning organisation (``referrals.privacy``).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from config.errors import ServiceError, ValidationFailed
from organisations.models import ServiceCategory
from organisations.selectors import memberships_of
from referrals import privacy
from referrals.forms import ErasureForm, ReferenceLookupForm
from referrals.models import (
    AccessAction,
    AccessChannel,
    AgeBand,
    DeclineReason,
    EventName,
    Outcome,
    Sex,
    State,
    Urgency,
)

LABELS = {
    "age_band": dict(AgeBand.choices),
    "sex": dict(Sex.choices),
    "state": dict(State.choices),
    "urgency": dict(Urgency.choices),
    "service_category": dict(ServiceCategory.choices),
    "decline_reason": dict(DeclineReason.choices),
    "outcome": dict(Outcome.choices),
    "event": dict(EventName.choices),
    "action": dict(AccessAction.choices),
    "channel": dict(AccessChannel.choices),
}


def _case(request: HttpRequest, pk: int):
    try:
        return privacy.rights_case(request.user, pk)
    except ServiceError as error:
        if error.status_code == 403:
            raise PermissionDenied(error.message) from None
        raise Http404 from None


def _may_answer_requests(request: HttpRequest) -> bool:
    return memberships_of(request.user).filter(role__in=privacy.RIGHTS_ROLES).exists()


@login_required
def rights_lookup(request: HttpRequest) -> HttpResponse:
    """Find a person's record by the reference they hold (no browsing: admins do not list
    cases)."""
    if not _may_answer_requests(request):
        raise Http404
    form = ReferenceLookupForm(request.GET or None)
    if form.is_valid():
        case = privacy.rights_case_by_reference(request.user, form.cleaned_data["reference"])
        if case is not None:
            return redirect("referrals:rights", pk=case.pk)
        form.add_error("reference", _("No record of your organisation has this reference."))
    return render(request, "referrals/rights_lookup.html", {"form": form})


def _rights_page(
    request: HttpRequest, case: object, form: ErasureForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "referrals/rights.html",
        {
            "case": case,
            "referral_count": case.referrals.count(),
            "open_count": case.referrals.filter(state__in=privacy.OPEN_STATES).count(),
            "form": form,
        },
        status=status,
    )


@login_required
def rights(request: HttpRequest, pk: int) -> HttpResponse:
    return _rights_page(request, _case(request, pk), ErasureForm())


@login_required
def subject_access(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything held about the person, as a printable page (or JSON with ``?format=json``)."""
    case = _case(request, pk)
    data = privacy.subject_access(case=case, actor=request.user)
    if request.GET.get("format") == "json":
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{case.reference}.json"'
        return response
    return render(
        request, "referrals/subject_access.html", {"case": case, "data": data, "labels": LABELS}
    )


@login_required
@require_POST
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    form = ErasureForm(request.POST)
    if not form.is_valid():
        return _rights_page(request, case, form, status=400)
    try:
        erasure = privacy.case_erase(
            case_id=case.pk, actor=request.user, reference=form.cleaned_data["confirm"]
        )
    except ValidationFailed as error:
        form.add_error("confirm", str(error.message))
        return _rights_page(request, case, form, status=400)
    except ServiceError as error:
        messages.error(request, str(error.message))
        return redirect("referrals:rights-lookup")
    messages.success(
        request, _("The record was erased: nothing that identifies the person is left.")
    )
    if erasure.withdrawn:
        count = len(erasure.withdrawn)
        messages.info(
            request,
            ngettext(
                "%(count)d open referral was withdrawn; its receiver was told.",
                "%(count)d open referrals were withdrawn; their receivers were told.",
                count,
            )
            % {"count": count},
        )
    return redirect("referrals:rights-lookup")
