"""Web pages of the registry. Thin: forms in, services and selectors out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.errors import ServiceError
from organisations import names, permissions, selectors, services
from organisations.forms import (
    CapacityForm,
    DirectoryFilterForm,
    MatrixForm,
    MemberInviteForm,
    MembershipIntakeForm,
    MembershipRoleForm,
    OrganisationProfileForm,
    ServiceFilterForm,
    ServiceForm,
    SwitchOrganisationForm,
)
from organisations.models import CASE_ROLES, Membership, Organisation, Partnership, Service

PAGE_SIZE = 25


def _managed_organisation(request: HttpRequest, pk: int) -> Organisation:
    organisation = get_object_or_404(Organisation.objects.active(), pk=pk)
    if not permissions.can_manage_organisation(request.user, organisation):
        raise PermissionDenied
    return organisation


def _service_error(request: HttpRequest, form: object, error: ServiceError) -> None:
    if form is not None and error.field and error.field in getattr(form, "fields", {}):
        form.add_error(error.field, str(error.message))
    else:
        messages.error(request, str(error.message))


@login_required
@require_POST
def switch_organisation(request: HttpRequest) -> HttpResponse:
    form = SwitchOrganisationForm(request.POST)
    if not form.is_valid() or not request.current.choose(form.cleaned_data["organisation"]):
        raise Http404
    target = form.cleaned_data.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "home"
    return redirect(target)


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    organisations = selectors.organisation_list(
        search=filters.get("q", ""),
        kind=filters.get("kind", ""),
        city=filters.get("city", ""),
        category=filters.get("category", ""),
        capacity=filters.get("capacity", ""),
    )
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/organisation_list.html",
        {"form": form, "page": page, "cities": selectors.cities()},
    )


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(
        selectors.organisation_detail_queryset().filter(is_active=True), pk=pk
    )
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "organisation": organisation,
            "can_manage": permissions.can_manage_organisation(request.user, organisation),
            "capacity_form": CapacityForm(),
        },
    )


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _managed_organisation(request, pk)
    form = OrganisationProfileForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                organisation=Organisation.objects.get(pk=pk),
                actor=request.user,
                **form.cleaned_data,
            )
        except ServiceError as error:
            _service_error(request, form, error)
        else:
            messages.success(request, _("The profile was saved."))
            return redirect("organisations:detail", pk=pk)
    return render(
        request,
        "organisations/organisation_form.html",
        {"form": form, "organisation": organisation},
    )


@login_required
def service_list(request: HttpRequest) -> HttpResponse:
    form = ServiceFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(
        selectors.service_list(
            search=filters.get("q", ""),
            category=filters.get("category", ""),
            city=filters.get("city", ""),
            capacity=filters.get("capacity", ""),
            language=filters.get("language", ""),
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/service_list.html",
        {"form": form, "page": page, "cities": selectors.cities()},
    )


@login_required
def service_create(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _managed_organisation(request, pk)
    form = ServiceForm(request.POST or None, initial={"city": organisation.city})
    if request.method == "POST" and form.is_valid():
        try:
            services.service_create(
                organisation=organisation, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            _service_error(request, form, error)
        else:
            messages.success(request, _("The service was added."))
            return redirect("organisations:detail", pk=pk)
    return render(
        request, "organisations/service_form.html", {"form": form, "organisation": organisation}
    )


@login_required
def service_edit(request: HttpRequest, pk: int, service_pk: int) -> HttpResponse:
    organisation = _managed_organisation(request, pk)
    service = get_object_or_404(Service, pk=service_pk, organisation=organisation)
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_update(
                service=Service.objects.get(pk=service.pk), actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            _service_error(request, form, error)
        else:
            messages.success(request, _("The service was saved."))
            return redirect("organisations:detail", pk=pk)
    return render(
        request,
        "organisations/service_form.html",
        {"form": form, "organisation": organisation, "service": service},
    )


@login_required
@require_POST
def service_capacity(request: HttpRequest, pk: int, service_pk: int) -> HttpResponse:
    organisation = _managed_organisation(request, pk)
    service = get_object_or_404(Service, pk=service_pk, organisation=organisation)
    form = CapacityForm(request.POST)
    if form.is_valid():
        services.service_set_capacity(
            service=service, actor=request.user, status=form.cleaned_data["capacity_status"]
        )
        messages.success(
            request,
            _("%(service)s: capacity is now “%(status)s”.")
            % {
                "service": names.isolated(service.name),
                "status": service.get_capacity_status_display(),
            },
        )
    else:
        messages.error(request, _("Unknown capacity status."))
    return redirect("organisations:detail", pk=pk)


@login_required
@require_POST
def service_archive(request: HttpRequest, pk: int, service_pk: int) -> HttpResponse:
    organisation = _managed_organisation(request, pk)
    service = get_object_or_404(Service, pk=service_pk, organisation=organisation)
    services.service_set_active(service=service, actor=request.user, active=False)
    messages.success(request, _("The service was removed from the directory."))
    return redirect("organisations:detail", pk=pk)


@login_required
def member_list(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _managed_organisation(request, pk)
    form = MemberInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_invite(
                organisation=organisation, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            _service_error(request, form, error)
        else:
            messages.success(request, _("The member was added."))
            return redirect("organisations:members", pk=pk)
    memberships = selectors.organisation_members(organisation=organisation, actor=request.user)
    return render(
        request,
        "organisations/member_list.html",
        {
            "organisation": organisation,
            "memberships": memberships,
            "form": form,
            "role_form": MembershipRoleForm(),
            "receiving_roles": CASE_ROLES,
            "has_intake_team": any(
                m.intake and m.is_active and m.role in CASE_ROLES for m in memberships
            ),
        },
    )


@login_required
@require_POST
def member_role(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    organisation = _managed_organisation(request, pk)
    membership = get_object_or_404(Membership, pk=membership_pk, organisation=organisation)
    form = MembershipRoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_change_role(
                membership=membership, role=form.cleaned_data["role"], actor=request.user
            )
        except ServiceError as error:
            _service_error(request, None, error)
        else:
            messages.success(request, _("The role was changed."))
    return redirect("organisations:members", pk=pk)


@login_required
@require_POST
def member_intake(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    organisation = _managed_organisation(request, pk)
    membership = get_object_or_404(Membership, pk=membership_pk, organisation=organisation)
    form = MembershipIntakeForm(request.POST)
    intake = form.is_valid() and form.cleaned_data["intake"]
    try:
        services.membership_set_intake(membership=membership, intake=intake, actor=request.user)
    except ServiceError as error:
        _service_error(request, None, error)
    else:
        name = names.isolated(membership.user.get_full_name() or membership.user.username)
        messages.success(
            request,
            (
                _("%(name)s is told at once of every referral that arrives.")
                if intake
                else _("%(name)s now reads the new referrals in the daily summary.")
            )
            % {"name": name},
        )
    return redirect("organisations:members", pk=pk)


@login_required
@require_POST
def member_deactivate(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    organisation = _managed_organisation(request, pk)
    membership = get_object_or_404(Membership, pk=membership_pk, organisation=organisation)
    try:
        services.membership_deactivate(membership=membership, actor=request.user)
    except ServiceError as error:
        _service_error(request, None, error)
    else:
        messages.success(request, _("The member no longer has access."))
    return redirect("organisations:members", pk=pk)


@login_required
@require_POST
def member_reactivate(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    organisation = _managed_organisation(request, pk)
    membership = get_object_or_404(Membership, pk=membership_pk, organisation=organisation)
    services.membership_add(
        organisation=organisation, user=membership.user, role=membership.role, actor=request.user
    )
    messages.success(request, _("The member has access again."))
    return redirect("organisations:members", pk=pk)


@login_required
def matrix(request: HttpRequest) -> HttpResponse:
    default_city = request.current.organisation.city if request.current.organisation else ""
    form = MatrixForm(request.GET or {"city": default_city})
    result = None
    if form.is_valid():
        result = selectors.service_matrix(
            city=form.cleaned_data["city"], area=form.cleaned_data["area"]
        )
    return render(
        request,
        "organisations/matrix.html",
        {"form": form, "matrix": result, "cities": selectors.cities()},
    )


@login_required
def partnership_document(request: HttpRequest, pk: int) -> FileResponse:
    """Signed agreements are for signed-in users only, never a public media URL."""
    partnership = get_object_or_404(Partnership, pk=pk)
    if not partnership.document:
        raise Http404
    return FileResponse(partnership.document.open("rb"), as_attachment=True)
