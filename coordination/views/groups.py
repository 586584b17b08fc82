"""Group pages: the list, a group's page, its settings."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import ServiceError
from coordination import permissions, selectors, services
from coordination.forms import (
    ActionItemUpdateForm,
    GroupCreateForm,
    GroupForm,
)
from coordination.views.common import (
    coordinated_group,
    failed,
    visible_group,
)

# Groups -----------------------------------------------------------------------------------------


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    groups = list(selectors.group_list(request.user))
    coordinated = permissions.coordinated_group_ids(request.user)
    return render(
        request,
        "coordination/group_list.html",
        {
            "groups": groups,
            "coordinated": coordinated,
            "may_create": selectors.conveners_for(request.user).exists(),
            "alerts": selectors.alerts_awaiting(request.user),
        },
    )


@login_required
def group_create(request: HttpRequest) -> HttpResponse:
    """A supervisor or admin of an organisation sets up a group it convenes (a platform admin,
    one any organisation convenes)."""
    conveners = selectors.conveners_for(request.user)
    if not conveners.exists():
        raise PermissionDenied(
            _("Only a supervisor or admin of an organisation sets up a coordination group.")
        )
    current = request.current.organisation
    form = GroupCreateForm(
        request.POST or None,
        conveners=conveners,
        initial={
            "time_zone": settings.TIME_ZONE,
            "convening_organisation": current if current in conveners else conveners.first(),
            "coordinators": [request.user],
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            failed(request, error, form)
        else:
            messages.success(request, _("The group is set up; schedule its first meeting."))
            return redirect("coordination:group", pk=group.pk)
    return render(request, "coordination/group_create.html", {"form": form})


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = visible_group(request, pk)
    now = timezone.now()
    user = request.user
    alerts = [selectors.alert_status(alert) for alert in selectors.alert_list(group)[:10]]
    items = list(selectors.open_action_items(group))
    return render(
        request,
        "coordination/group_detail.html",
        {
            "group": group,
            "can_coordinate": permissions.can_coordinate(user, group),
            "can_broadcast": permissions.can_broadcast(user, group),
            "sittings": selectors.upcoming_sittings(user, now=now, days=120, group=group, limit=6),
            "meetings": list(selectors.meeting_list(user, group=group).order_by("-first_start")),
            "action_items": items,
            "editable": selectors.editable_action_ids(user, items),
            "alerts": alerts,
            "my_organisations": selectors.user_organisation_ids(user),
            "plans": list(selectors.plan_list(group)),
            "status_form": ActionItemUpdateForm(),
        },
    )


@login_required
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    group = coordinated_group(request, pk)
    form = GroupForm(
        request.POST or None,
        initial={
            "name": group.name,
            "description": group.description,
            "time_zone": group.time_zone,
            "members": list(group.members.all()),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.group_update(group_id=group.pk, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            failed(request, error, form)
        else:
            messages.success(request, _("The group was saved."))
            return redirect("coordination:group", pk=group.pk)
    return render(request, "coordination/group_form.html", {"group": group, "form": form})
