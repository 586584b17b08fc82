"""Action items, alerts and contingency plans."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.errors import ServiceError
from coordination import permissions, selectors, services
from coordination.forms import (
    ActionItemForm,
    ActionItemUpdateForm,
    AlertForm,
    PlanForm,
)
from coordination.models import ActionItem
from coordination.views.common import (
    acting_organisation,
    back,
    coordinated_group,
    coordinated_meeting,
    failed,
    sitting_or_404,
    visible_group,
)
from coordination.views.meetings import FORM_IDS, sitting_page

# Action items -----------------------------------------------------------------------------------


@login_required
@require_POST
def action_create(request: HttpRequest, pk: int, stamp: str) -> HttpResponse:
    meeting = coordinated_meeting(request, pk)
    sitting = sitting_or_404(meeting, stamp)
    form = ActionItemForm(request.POST, group=meeting.group, auto_id=FORM_IDS["action_form"])
    if form.is_valid():
        try:
            services.action_item_create(
                actor=request.user,
                meeting_id=meeting.pk,
                original_start=sitting.original_start,
                **form.cleaned_data,
            )
        except ServiceError as error:
            failed(request, error, form)
        else:
            messages.success(request, _("The action item was recorded; its owner is told."))
        if not form.errors:  # refused for a reason that is no field's: said above the page
            return redirect(sitting.get_absolute_url())
    return sitting_page(request, meeting, sitting, action_form=form)


@login_required
@require_POST
def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    # Invisible is missing, before the form is read (an invalid form must not answer otherwise).
    item = ActionItem.objects.select_related("group").filter(pk=pk).first()
    if item is None or not permissions.can_view(request.user, item.group):
        raise Http404
    form = ActionItemUpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return back(request, reverse("coordination:my-actions"))
    try:
        services.action_item_update(action_item_id=pk, actor=request.user, **form.cleaned_data)
    except ServiceError as error:
        failed(request, error)
    else:
        messages.success(request, _("The action item was updated."))
    return back(request, reverse("coordination:my-actions"))


@login_required
def my_actions(request: HttpRequest) -> HttpResponse:
    include_closed = request.GET.get("all") == "1"
    items = list(selectors.action_items_of(request.user, include_closed=include_closed))
    return render(
        request,
        "coordination/my_actions.html",
        {
            "items": items,
            "include_closed": include_closed,
            "not_closed": not include_closed,
            "editable": selectors.editable_action_ids(request.user, items),
            "status_form": ActionItemUpdateForm(),
            "today": timezone.localdate(),
        },
    )


# Alerts -----------------------------------------------------------------------------------------


@login_required
def alert_create(request: HttpRequest, pk: int) -> HttpResponse:
    group = visible_group(request, pk)
    if not permissions.can_broadcast(request.user, group):
        raise PermissionDenied
    form = AlertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            alert = services.alert_broadcast(
                actor=request.user,
                group=group,
                organisation=acting_organisation(request, group)
                if not permissions.can_coordinate(request.user, group)
                else None,
                **form.cleaned_data,
            )
        except ServiceError as error:
            failed(request, error, form)
        else:
            messages.success(request, _("The alert went to every member organisation."))
            return redirect("coordination:alert", pk=alert.pk)
    return render(request, "coordination/alert_form.html", {"group": group, "form": form})


@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alert_get(request.user, pk)
    if alert is None:
        raise Http404
    status = selectors.alert_status(alert)
    mine = selectors.user_organisation_ids(request.user)
    return render(
        request,
        "coordination/alert_detail.html",
        {
            "alert": alert,
            "status": status,
            "to_acknowledge": [o for o in status.waiting if o.pk in mine],
        },
    )


@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alert_get(request.user, pk)
    if alert is None:
        raise Http404
    organisation = next(
        (o for o in alert.recipients.all() if str(o.pk) == request.POST.get("organisation")), None
    )
    try:
        services.alert_acknowledge(alert_id=alert.pk, actor=request.user, organisation=organisation)
    except ServiceError as error:
        failed(request, error)
    else:
        messages.success(request, _("Acknowledged for your organisation."))
    return redirect("coordination:alert", pk=alert.pk)


# Contingency plans ------------------------------------------------------------------------------


@login_required
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    group = coordinated_group(request, pk)
    form = PlanForm(
        request.POST or None, group=group, initial={"last_reviewed_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                actor=request.user, group=group, roles=form.roles(), **form.plan_fields()
            )
        except ServiceError as error:
            failed(request, error, form)
        else:
            messages.success(request, _("The contingency plan was saved."))
            return redirect("coordination:plan", pk=plan.pk)
    return render(request, "coordination/plan_form.html", {"group": group, "form": form})


def _plan(request: HttpRequest, pk: int) -> Any:
    plan = selectors.plan_get(request.user, pk)
    if plan is None:
        raise Http404
    return plan


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    return render(
        request,
        "coordination/plan_detail.html",
        {"plan": plan, "can_coordinate": permissions.can_coordinate(request.user, plan.group)},
    )


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if not permissions.can_coordinate(request.user, plan.group):
        raise PermissionDenied
    form = PlanForm(
        request.POST or None,
        group=plan.group,
        plan=plan,
        initial={
            "title": plan.title,
            "scenario": plan.scenario,
            "contacts": plan.contacts,
            "last_reviewed_on": plan.last_reviewed_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(
                plan_id=plan.pk, actor=request.user, roles=form.roles(), **form.plan_fields()
            )
        except ServiceError as error:
            failed(request, error, form)
        else:
            messages.success(request, _("The contingency plan was saved."))
            return redirect("coordination:plan", pk=plan.pk)
    return render(
        request, "coordination/plan_form.html", {"group": plan.group, "plan": plan, "form": form}
    )


@login_required
@require_POST
def plan_reviewed(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    try:
        services.plan_mark_reviewed(plan_id=plan.pk, actor=request.user)
    except ServiceError as error:
        failed(request, error)
    else:
        messages.success(request, _("Marked as reviewed today."))
    return redirect("coordination:plan", pk=plan.pk)
