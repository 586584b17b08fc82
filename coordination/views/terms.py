"""Terms of reference and referral pathways: members read (and print), coordinators write and
record the adopting decision, each member organisation's supervisors and admins endorse."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.errors import ServiceError
from coordination import permissions, selectors, services
from coordination.mechanism_forms import AdoptForm, PathwayForm, TermsForm
from coordination.models import (
    Pathway,
    TermsOfReference,
)
from coordination.views.common import coordinated_group, failed, visible_group

# Terms of reference -----------------------------------------------------------------------------


def _terms_or_404(request: HttpRequest, pk: int) -> TermsOfReference:
    terms = selectors.terms_rows().filter(pk=pk).first()
    if terms is None or not permissions.can_view(request.user, terms.group):
        raise Http404
    return terms


def _endorsement_context(request: HttpRequest, terms: TermsOfReference | None) -> dict:
    if terms is None or not terms.is_adopted:
        return {"waiting": [], "may_endorse": []}
    members = list(terms.group.members.order_by("name"))
    done = {e.organisation_id for e in terms.endorsements.all()}
    speaking = permissions.speaking_organisation_ids(request.user)
    return {
        "waiting": [o for o in members if o.pk not in done],
        "may_endorse": [o for o in members if o.pk not in done and o.pk in speaking],
    }


@login_required
def terms(request: HttpRequest, pk: int) -> HttpResponse:
    """The group's adopted terms with their endorsements, and every version."""
    group = visible_group(request, pk)
    versions = list(selectors.terms_rows().filter(group=group).order_by("-version"))
    adopted = next((t for t in versions if t.is_adopted), None)
    can_coordinate = permissions.can_coordinate(request.user, group)
    drafts = [
        t for t in versions if not t.is_adopted and (adopted is None or t.version > adopted.version)
    ]
    return render(
        request,
        "coordination/terms.html",
        {
            "group": group,
            "terms": adopted,
            "versions": versions,
            "drafts": drafts,
            "can_coordinate": can_coordinate,
            "adopt_form": AdoptForm(group=group) if can_coordinate and drafts else None,
            **_endorsement_context(request, adopted),
        },
    )


@login_required
def terms_version(request: HttpRequest, pk: int) -> HttpResponse:
    """One version, as adopted or as drafted, printable."""
    version = _terms_or_404(request, pk)
    previous = (
        TermsOfReference.objects.filter(group=version.group, version__lt=version.version)
        .order_by("-version")
        .first()
    )
    return render(
        request,
        "coordination/terms_version.html",
        {
            "group": version.group,
            "terms": version,
            "previous": previous,
            "can_coordinate": permissions.can_coordinate(request.user, version.group),
            **_endorsement_context(request, version),
        },
    )


@login_required
def terms_create(request: HttpRequest, pk: int) -> HttpResponse:
    group = coordinated_group(request, pk)
    latest = selectors.terms_rows().filter(group=group).order_by("-version").first()
    initial = (
        {
            name: getattr(latest, name)
            for name in ("mandate", "scope", "decision_making", "meeting_frequency")
        }
        if latest
        else {}
    )
    form = TermsForm(request.POST or None, group=group, instance=latest, initial=initial)
    if latest is not None and request.method != "POST":
        form.initial["change_note"] = ""
    if request.method == "POST" and form.is_valid():
        try:
            created = services.terms_create(
                actor=request.user, group=group, commitments=form.commitments(), **form.text()
            )
        except ServiceError as error:
            failed(request, error, form)
        else:
            messages.success(request, _("The new version is saved as a draft."))
            return redirect("coordination:terms-version", pk=created.pk)
    return render(request, "coordination/terms_form.html", {"group": group, "form": form})


@login_required
def terms_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = _terms_or_404(request, pk)
    if not permissions.can_coordinate(request.user, version.group):
        raise PermissionDenied
    if version.is_adopted:
        messages.error(request, _("This version is adopted: write a new version to change it."))
        return redirect("coordination:terms-version", pk=version.pk)
    form = TermsForm(request.POST or None, group=version.group, instance=version)
    if request.method == "POST" and form.is_valid():
        try:
            services.terms_update(
                actor=request.user,
                terms_id=version.pk,
                commitments=form.commitments(),
                **form.text(),
            )
        except ServiceError as error:
            failed(request, error, form)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("coordination:terms-version", pk=version.pk)
    return render(
        request,
        "coordination/terms_form.html",
        {"group": version.group, "form": form, "terms": version},
    )


@login_required
@require_POST
def terms_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    version = _terms_or_404(request, pk)
    form = AdoptForm(request.POST, group=version.group)
    if not form.is_valid():
        if not permissions.can_coordinate(request.user, version.group):
            raise PermissionDenied
        messages.error(request, _("Choose a decision recorded at one of the group's meetings."))
        return redirect("coordination:terms", pk=version.group_id)
    try:
        services.terms_adopt(
            actor=request.user, terms_id=version.pk, decision=form.cleaned_data["decision"]
        )
    except ServiceError as error:
        failed(request, error)
    else:
        messages.success(request, _("The terms of reference are adopted."))
    return redirect("coordination:terms", pk=version.group_id)


@login_required
@require_POST
def terms_endorse(request: HttpRequest, pk: int) -> HttpResponse:
    version = _terms_or_404(request, pk)
    organisation = version.group.members.filter(pk=_int(request.POST.get("organisation"))).first()
    if organisation is None:
        if not permissions.speaking_organisation_ids(request.user):
            raise PermissionDenied
        messages.error(request, _("Choose a member organisation of the group."))
    else:
        try:
            services.terms_endorse(
                actor=request.user, terms_id=version.pk, organisation=organisation
            )
        except ServiceError as error:
            failed(request, error)
        else:
            messages.success(request, _("Endorsed for your organisation."))
    return redirect("coordination:terms", pk=version.group_id)


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


# Referral pathways ------------------------------------------------------------------------------


def _pathway_or_404(request: HttpRequest, pk: int) -> Pathway:
    pathway = selectors.pathway_rows().filter(pk=pk).first()
    if pathway is None or not permissions.can_view(request.user, pathway.group):
        raise Http404
    return pathway


@login_required
def pathways(request: HttpRequest, pk: int) -> HttpResponse:
    group = visible_group(request, pk)
    return render(
        request,
        "coordination/pathways.html",
        {
            "group": group,
            "pathways": list(
                selectors.pathway_rows().filter(group=group).order_by("category", "city", "area")
            ),
            "can_coordinate": permissions.can_coordinate(request.user, group),
        },
    )


@login_required
def pathway(request: HttpRequest, pk: int) -> HttpResponse:
    found = _pathway_or_404(request, pk)
    can_coordinate = permissions.can_coordinate(request.user, found.group)
    return render(
        request,
        "coordination/pathway.html",
        {
            "group": found.group,
            "pathway": found,
            "can_coordinate": can_coordinate,
            "adopt_form": AdoptForm(group=found.group)
            if can_coordinate and found.adopted_at is None
            else None,
        },
    )


@login_required
def pathway_create(request: HttpRequest, pk: int) -> HttpResponse:
    group = coordinated_group(request, pk)
    form = PathwayForm(
        request.POST or None, group=group, initial={"city": group.convening_organisation.city}
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.pathway_create(
                actor=request.user, group=group, steps=form.steps(), **form.text()
            )
        except ServiceError as error:
            failed(request, error, form)
        else:
            messages.success(request, _("The pathway is saved."))
            return redirect("coordination:pathway", pk=created.pk)
    return render(request, "coordination/pathway_form.html", {"group": group, "form": form})


@login_required
def pathway_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = _pathway_or_404(request, pk)
    if not permissions.can_coordinate(request.user, found.group):
        raise PermissionDenied
    form = PathwayForm(request.POST or None, group=found.group, instance=found)
    if request.method == "POST" and form.is_valid():
        try:
            services.pathway_update(
                actor=request.user, pathway_id=found.pk, steps=form.steps(), **form.text()
            )
        except ServiceError as error:
            failed(request, error, form)
        else:
            messages.success(request, _("The pathway is saved."))
            return redirect("coordination:pathway", pk=found.pk)
    return render(
        request,
        "coordination/pathway_form.html",
        {"group": found.group, "form": form, "pathway": found},
    )


@login_required
@require_POST
def pathway_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    found = _pathway_or_404(request, pk)
    if not permissions.can_coordinate(request.user, found.group):
        raise PermissionDenied
    form = AdoptForm(request.POST, group=found.group)
    if not form.is_valid():
        messages.error(request, _("Choose a decision recorded at one of the group's meetings."))
    else:
        try:
            services.pathway_adopt(
                actor=request.user, pathway_id=found.pk, decision=form.cleaned_data["decision"]
            )
        except ServiceError as error:
            failed(request, error)
        else:
            messages.success(request, _("The pathway is adopted."))
    return redirect("coordination:pathway", pk=found.pk)
