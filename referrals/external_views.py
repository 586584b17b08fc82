"""Referrals to organisations not on the platform, and the slip a person carries (for those and
for referrals on the platform)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import can_proceed

from config.errors import ServiceError
from referrals import permissions, selectors, services, slip
from referrals.external_forms import ExternalOutcomeForm, ExternalReferralForm
from referrals.models import AccessAction, Case, Referral


def _managed_case(request: HttpRequest, pk: int) -> Case:
    case = selectors.case_list(user=request.user).filter(pk=pk).first()
    if case is None or not permissions.can_manage_case(request.user, case):
        raise Http404
    return case


def _external(request: HttpRequest, pk: int):
    referral = selectors.external_referral_get(user=request.user, pk=pk)
    if referral is None:
        raise Http404
    return referral


@login_required
def external_referral_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a referral to an organisation that is not on the platform."""
    case = _managed_case(request, pk)
    form = ExternalReferralForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.external_referral_create(
                case=case, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, str(error.message))
        else:
            messages.success(
                request, _("The referral was recorded. Print the slip for the person to carry.")
            )
            return redirect("referrals:external-detail", pk=referral.pk)
    return render(
        request,
        "referrals/external_form.html",
        {"case": case, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def external_referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _external(request, pk)
    return render(
        request, "referrals/external_detail.html", _detail(referral, ExternalOutcomeForm())
    )


def _detail(referral, form) -> dict:
    return {
        "referral": referral,
        "form": form if can_proceed(referral.report_outcome) else None,
        "slip_languages": slip.languages_for(referral.case),
    }


@login_required
@require_POST
def external_referral_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _external(request, pk)
    form = ExternalOutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.external_referral_report(
                referral_id=referral.pk,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ServiceError as error:
            messages.error(request, str(error.message))
            status = error.status_code
        else:
            messages.success(request, _("The outcome was recorded."))
            return redirect("referrals:external-detail", pk=pk)
    else:
        status = 400
    return render(request, "referrals/external_detail.html", _detail(referral, form), status=status)


def _slip_page(
    request: HttpRequest, case: Case, build: Callable[[], slip.Slip], back: str
) -> HttpResponse:
    """The slip in the person's language: built in it too (its labels are translated)."""
    language = slip.language_for(request.GET.get("language", "")) or translation.get_language()
    services.access_record(user=request.user, cases=[case], action=AccessAction.PRINT)
    with translation.override(language):
        return render(
            request,
            "referrals/slip.html",
            {
                "slip": build(),
                "slip_language": language,
                "slip_languages": slip.languages_for(case),
                "back": back,
            },
        )


@login_required
def external_referral_slip(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _external(request, pk)
    back = reverse("referrals:external-detail", args=[referral.pk])
    return _slip_page(request, referral.case, lambda: slip.for_external(referral), back)


@login_required
def referral_slip(request: HttpRequest, pk: int) -> HttpResponse:
    """The slip of a referral on the platform: printed by the sending organisation."""
    referral = (
        Referral.objects.select_related("case", "to_organisation", "from_organisation", "service")
        .filter(pk=pk)
        .first()
    )
    if referral is None or not permissions.can_manage_case(request.user, referral.case):
        raise Http404
    back = reverse("referrals:detail", args=[referral.pk])
    return _slip_page(request, referral.case, lambda: slip.for_referral(referral), back)
