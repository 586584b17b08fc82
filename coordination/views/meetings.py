"""Meeting pages: scheduling, a sitting's page (agenda, attendance, minutes, decisions),
exceptions, the upcoming list, the month calendar and the .ics."""

import calendar
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from config.errors import ServiceError
from coordination import ics, permissions, progress, recurrence, schedule, selectors, services
from coordination.forms import (
    ActionItemForm,
    ActionItemUpdateForm,
    AgendaItemForm,
    AttendanceForm,
    DecisionForm,
    MeetingForm,
    MinutesForm,
    NoteForm,
    SittingMoveForm,
)
from coordination.models import AgendaItem, Meeting
from coordination.schedule import Sitting
from coordination.views.common import (
    acting_organisation,
    coordinated_group,
    coordinated_meeting,
    failed,
    ics_response,
    original_or_404,
    sitting_or_404,
    visible_meeting,
)

UPCOMING_DAYS = 60

# Meetings ---------------------------------------------------------------------------------------


@login_required
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    group = coordinated_group(request, pk)
    form = MeetingForm(request.POST or None, group=group)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_schedule(
                actor=request.user, group=group, **form.service_fields()
            )
        except ServiceError as error:
            failed(request, error, form, fields={"rrule": _rule_field(form), "start": "start_date"})
        else:
            messages.success(request, _("The meeting is scheduled; the members are told."))
            # The sitting just scheduled, even when it is already over (minutes written after
            # the fact) or a series whose next sitting is a later one.
            first = schedule.sitting_at(meeting, meeting.first_start)
            if first is None:
                return redirect("coordination:meeting", pk=meeting.pk)
            return redirect(first.get_absolute_url())
    return render(request, "coordination/meeting_form.html", {"group": group, "form": form})


def _rule_field(form: MeetingForm) -> str | None:
    return "custom_rule" if form.cleaned_data.get("repeat") == "custom" else "repeat"


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = coordinated_meeting(request, pk)
    form = MeetingForm(
        request.POST or None, group=meeting.group, initial=MeetingForm.initial_for(meeting)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(
                meeting_id=meeting.pk, actor=request.user, **form.service_fields()
            )
        except ServiceError as error:
            failed(request, error, form, fields={"rrule": _rule_field(form), "start": "start_date"})
        else:
            messages.success(request, _("The meeting was changed; the members are told."))
            return redirect("coordination:meeting", pk=meeting.pk)
    return render(
        request,
        "coordination/meeting_form.html",
        {"group": meeting.group, "meeting": meeting, "form": form},
    )


@login_required
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a meeting, or a whole series: the series is asked again on a page of its own,
    since it cancels every coming sitting at once (a single meeting asks on its own page)."""
    meeting = coordinated_meeting(request, pk)
    form = NoteForm(request.POST or None)
    if request.method != "POST" or (meeting.is_series and "confirmed" not in request.POST):
        coming = (
            selectors.other_sittings(meeting, now=timezone.now())[1] if meeting.is_series else []
        )
        return render(
            request,
            "coordination/meeting_cancel.html",
            {"meeting": meeting, "group": meeting.group, "form": form, "coming": coming},
        )
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.meeting_cancel(meeting_id=meeting.pk, actor=request.user, note=note)
    except ServiceError as error:
        failed(request, error)
    else:
        messages.success(request, _("The meeting is cancelled; the members are told."))
    return redirect("coordination:meeting", pk=meeting.pk)


@login_required
def meeting_detail(request: HttpRequest, pk: int, stamp: str | None = None) -> HttpResponse:
    meeting = visible_meeting(request, pk)
    if stamp is None:
        sitting = schedule.default_sitting(meeting, now=timezone.now())
        if sitting is None:
            raise Http404
    else:
        sitting = sitting_or_404(meeting, stamp)
    return sitting_page(request, meeting, sitting)


# Distinct ids: the forms share a page (and field names such as "title").
FORM_IDS = {
    "agenda_form": "agenda_%s",
    "attendance_form": "attendance_%s",
    "decision_form": "decision_%s",
    "action_form": "action_%s",
}


def sitting_page(
    request: HttpRequest, meeting: Meeting, sitting: Sitting, **bound: object
) -> HttpResponse:
    """A sitting's page. A form sent from it that needs correcting comes back in ``bound``:
    the page is shown again with what was typed and the errors on their fields."""
    now = timezone.now()
    user = request.user
    group = meeting.group
    page = selectors.sitting_page(sitting)
    past, coming = selectors.other_sittings(meeting, now=now) if meeting.is_series else ([], [])
    present = [a.organisation for a in page.attendance if a.present]
    forms = {
        "agenda_form": AgendaItemForm(group=group, auto_id=FORM_IDS["agenda_form"]),
        "attendance_form": AttendanceForm(
            group=group, initial={"present": present}, auto_id=FORM_IDS["attendance_form"]
        ),
        "decision_form": DecisionForm(group=group, auto_id=FORM_IDS["decision_form"]),
        "action_form": ActionItemForm(group=group, auto_id=FORM_IDS["action_form"]),
        **bound,
    }
    return render(
        request,
        "coordination/meeting_detail.html",
        {
            "meeting": meeting,
            "group": group,
            "sitting": sitting,
            "page": page,
            "past": past,
            "coming": coming,
            "can_coordinate": permissions.can_coordinate(user, group),
            "can_propose": services.may_propose(user, group, sitting),
            # The next meeting's agenda proposes to review what the joint plans say is wrong.
            "plan_reviews": progress.plans_to_review(
                group, today=timezone.localdate(now, permissions.group_zone(group))
            )
            if not sitting.has_started
            else [],
            "editable": selectors.editable_action_ids(user, page.action_items),
            "status_form": ActionItemUpdateForm(),
            "cancel_form": NoteForm(),
            **forms,
        },
    )


@login_required
@require_GET
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = visible_meeting(request, pk)
    content = ics.calendar([meeting], name=meeting.title)
    return ics_response(content, f"meeting-{meeting.pk}.ics", attachment=True)


@login_required
def upcoming(request: HttpRequest) -> HttpResponse:
    groups = list(selectors.group_list(request.user))
    chosen = next((g for g in groups if str(g.pk) == request.GET.get("group")), None)
    now = timezone.now()
    # From the start of today: a meeting held this morning is still today's, not gone.
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    sittings = selectors.upcoming_sittings(
        request.user, now=today, days=UPCOMING_DAYS + 1, group=chosen
    )
    return render(
        request,
        "coordination/upcoming.html",
        {
            "sittings": sittings,
            "groups": groups,
            "chosen": chosen,
            "days": UPCOMING_DAYS,
            "now": now,
        },
    )


def _month(value: str | None) -> datetime.date:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if not recurrence.FIRST_YEAR <= year <= recurrence.LAST_YEAR:
            raise ValueError(year)
        return datetime.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


@login_required
def month_calendar(request: HttpRequest) -> HttpResponse:
    first = _month(request.GET.get("month"))
    # Django counts the first day of the week from Sunday (0), Python from Monday (0).
    week_start = (int(get_format("FIRST_DAY_OF_WEEK")) - 1) % 7
    weeks = calendar.Calendar(firstweekday=week_start).monthdatescalendar(first.year, first.month)
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(weeks[0][0], datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(
        weeks[-1][-1] + datetime.timedelta(days=1), datetime.time(), tzinfo=zone
    )
    by_day: dict[datetime.date, list[Sitting]] = {}
    for sitting in selectors.sittings_between(
        selectors.meeting_list(request.user), start=start, end=end
    ):
        by_day.setdefault(sitting.starts_at.date(), []).append(sitting)
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "coordination/calendar.html",
        {
            "first": first,
            "weeks": [[(day, by_day.get(day, [])) for day in week] for week in weeks],
            "weekdays": [WEEKDAYS_ABBR[(week_start + i) % 7] for i in range(7)],
            "previous": f"{previous:%Y-%m}",
            "following": f"{following:%Y-%m}",
            "today": timezone.localdate(),
        },
    )


# Sittings ---------------------------------------------------------------------------------------


@login_required
@require_POST
def sitting_cancel(request: HttpRequest, pk: int, stamp: str) -> HttpResponse:
    meeting = coordinated_meeting(request, pk)
    original = original_or_404(stamp)
    form = NoteForm(request.POST)
    try:
        services.sitting_cancel(
            meeting_id=meeting.pk,
            original_start=original,
            actor=request.user,
            note=form.cleaned_data["note"] if form.is_valid() else "",
        )
    except ServiceError as error:
        failed(request, error)
    else:
        messages.success(request, _("This meeting is cancelled; the rest of the series stays."))
    return redirect("coordination:sitting", pk=meeting.pk, stamp=stamp)


@login_required
@require_POST
def sitting_reinstate(request: HttpRequest, pk: int, stamp: str) -> HttpResponse:
    meeting = coordinated_meeting(request, pk)
    try:
        services.sitting_reinstate(
            meeting_id=meeting.pk, original_start=original_or_404(stamp), actor=request.user
        )
    except ServiceError as error:
        failed(request, error)
    else:
        messages.success(request, _("This meeting takes place again."))
    return redirect("coordination:sitting", pk=meeting.pk, stamp=stamp)


@login_required
def sitting_move(request: HttpRequest, pk: int, stamp: str) -> HttpResponse:
    meeting = coordinated_meeting(request, pk)
    sitting = sitting_or_404(meeting, stamp)
    initial = {
        "date": sitting.starts_at.date(),
        "time": sitting.starts_at.time(),
        "duration_minutes": int((sitting.ends_at - sitting.starts_at).total_seconds() // 60),
        "place": sitting.place,
        "online_url": sitting.online_url,
    }
    form = SittingMoveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.sitting_move(
                meeting_id=meeting.pk,
                original_start=sitting.original_start,
                actor=request.user,
                start=datetime.datetime.combine(data["date"], data["time"]),
                duration_minutes=data["duration_minutes"],
                place=data["place"],
                online_url=data["online_url"],
                note=data["note"],
            )
        except ServiceError as error:
            failed(request, error, form, fields={"start": "date"})
        else:
            messages.success(request, _("The meeting was moved; the members are told."))
            return redirect(moved.get_absolute_url())
    return render(
        request,
        "coordination/sitting_move.html",
        {"meeting": meeting, "sitting": sitting, "form": form},
    )


@login_required
@require_POST
def agenda_propose(request: HttpRequest, pk: int, stamp: str) -> HttpResponse:
    meeting = visible_meeting(request, pk)
    sitting = sitting_or_404(meeting, stamp)
    form = AgendaItemForm(request.POST, group=meeting.group, auto_id=FORM_IDS["agenda_form"])
    if form.is_valid():
        try:
            item = services.agenda_propose(
                meeting_id=meeting.pk,
                original_start=sitting.original_start,
                actor=request.user,
                organisation=acting_organisation(request, meeting.group),
                **form.cleaned_data,
            )
        except ServiceError as error:
            failed(request, error, form)
        else:
            if item.status == "accepted":
                messages.success(request, _("The item is on the agenda."))
            else:
                messages.success(request, _("The item is proposed; a coordinator will decide."))
        if not form.errors:  # refused for a reason that is no field's: said above the page
            return redirect(sitting.get_absolute_url())
    return sitting_page(request, meeting, sitting, agenda_form=form)


AGENDA_ACTIONS = {"accept", "decline", "up", "down"}


@login_required
@require_POST
def agenda_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in AGENDA_ACTIONS:
        raise Http404
    item = AgendaItem.objects.select_related("occurrence__meeting").filter(pk=pk).first()
    if item is None:
        raise Http404
    meeting = item.occurrence.meeting
    try:
        if action in ("accept", "decline"):
            services.agenda_decide(item_id=item.pk, actor=request.user, accept=action == "accept")
        else:
            services.agenda_move(
                item_id=item.pk, actor=request.user, offset=-1 if action == "up" else 1
            )
    except ServiceError as error:
        failed(request, error)
    return redirect(
        "coordination:sitting",
        pk=meeting.pk,
        stamp=recurrence.stamp(item.occurrence.original_start),
    )


@login_required
@require_POST
def attendance(request: HttpRequest, pk: int, stamp: str) -> HttpResponse:
    meeting = coordinated_meeting(request, pk)
    sitting = sitting_or_404(meeting, stamp)
    form = AttendanceForm(request.POST, group=meeting.group, auto_id=FORM_IDS["attendance_form"])
    if form.is_valid():
        try:
            services.attendance_record(
                meeting_id=meeting.pk,
                original_start=sitting.original_start,
                actor=request.user,
                present=form.cleaned_data["present"],
            )
        except ServiceError as error:
            failed(request, error, form)
        else:
            messages.success(request, _("Attendance recorded; the meeting is marked as held."))
        if not form.errors:  # refused for a reason that is no field's: said above the page
            return redirect(sitting.get_absolute_url())
    return sitting_page(request, meeting, sitting, attendance_form=form)


@login_required
def minutes(request: HttpRequest, pk: int, stamp: str) -> HttpResponse:
    meeting = coordinated_meeting(request, pk)
    sitting = sitting_or_404(meeting, stamp)
    form = MinutesForm(
        request.POST or None, initial={"minutes": sitting.row.minutes if sitting.row else ""}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.minutes_save(
                meeting_id=meeting.pk,
                original_start=sitting.original_start,
                actor=request.user,
                minutes=form.cleaned_data["minutes"],
            )
        except ServiceError as error:
            failed(request, error, form)
        else:
            messages.success(request, _("The minutes were saved."))
            return redirect(sitting.get_absolute_url())
    return render(
        request,
        "coordination/minutes_form.html",
        {"meeting": meeting, "sitting": sitting, "form": form},
    )


@login_required
@require_POST
def decision_add(request: HttpRequest, pk: int, stamp: str) -> HttpResponse:
    meeting = coordinated_meeting(request, pk)
    sitting = sitting_or_404(meeting, stamp)
    form = DecisionForm(request.POST, group=meeting.group, auto_id=FORM_IDS["decision_form"])
    if form.is_valid():
        try:
            services.decision_record(
                meeting_id=meeting.pk,
                original_start=sitting.original_start,
                actor=request.user,
                text=form.cleaned_data["text"],
                activity=form.cleaned_data.get("activity"),
            )
        except ServiceError as error:
            failed(request, error, form)
        else:
            messages.success(request, _("The decision was recorded."))
        if not form.errors:  # refused for a reason that is no field's: said above the page
            return redirect(sitting.get_absolute_url())
    return sitting_page(request, meeting, sitting, decision_form=form)
