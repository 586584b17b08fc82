from __future__ import annotations

import datetime
import functools
import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from config.widgets import DateInput, TimeInput
from coordination import recurrence
from coordination.models import (
    ActionPlan,
    ActionStatus,
    Activity,
    ContingencyPlan,
    CoordinationGroup,
    Meeting,
)
from organisations import names
from organisations.models import Membership, Organisation

# The zones of the cities around the Mediterranean that the platform serves: first in the list,
# so that nobody scrolls through four hundred zones to find Tunis.
COMMON_TIME_ZONES = (
    "Africa/Tunis",
    "Africa/Algiers",
    "Africa/Casablanca",
    "Africa/Tripoli",
    "Africa/Cairo",
    "Asia/Beirut",
    "Asia/Amman",
    "Europe/Istanbul",
    "Europe/Athens",
    "Europe/Rome",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Malta",
    "UTC",
)


def _zone_label(name: str) -> str:
    return name.replace("_", " ")


@functools.cache
def time_zone_choices() -> list:
    """The site's zone and the region's first, then every zone (a select's type-ahead finds
    one by its first letters)."""
    names = sorted(
        name for name in zoneinfo.available_timezones() if "/" in name and "Etc" not in name
    )
    common = list(dict.fromkeys((settings.TIME_ZONE, *COMMON_TIME_ZONES)))
    return [
        (_("Common"), [(name, _zone_label(name)) for name in common]),
        (_("All time zones"), [(name, _zone_label(name)) for name in names if name not in common]),
    ]


class MeetingForm(forms.Form):
    """Schedule or change a meeting; the recurrence comes from a preset or a custom RRULE."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    start_date = forms.DateField(label=_("Date (of the first meeting)"), widget=DateInput())
    start_time = forms.TimeField(label=_("Starts at (local time)"), widget=TimeInput())
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=5, max_value=24 * 60, initial=120
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        widget=forms.Select(attrs={"translate": "no"}),  # identifiers (Africa/Tunis), not words
    )
    repeat = forms.ChoiceField(
        label=_("Repeats"),
        choices=[(p.code, p.label) for p in recurrence.PRESETS],
        initial="none",
        widget=forms.RadioSelect,
    )
    custom_rule = forms.CharField(
        label=_("Custom rule"),
        required=False,
        max_length=500,
        help_text=_("For example FREQ=MONTHLY;BYDAY=-1FR (the last Friday of each month)."),
    )
    until = forms.DateField(label=_("Repeats until (optional)"), required=False, widget=DateInput())
    count = forms.IntegerField(
        label=_("Number of meetings (optional)"),
        required=False,
        min_value=1,
        max_value=recurrence.MAX_COUNT,
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=300)
    online_url = forms.URLField(
        label=_("Online meeting link"), required=False, max_length=200, assume_scheme="https"
    )
    invited_organisations = forms.ModelMultipleChoiceField(
        label=_("Invited organisations"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every member organisation when none is ticked."),
    )

    def __init__(self, *args: object, group: CoordinationGroup, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["invited_organisations"].queryset = group.members.order_by("name")
        self.fields["time_zone"].initial = group.time_zone

    @classmethod
    def initial_for(cls, meeting: Meeting) -> dict:
        preset = recurrence.preset_of(meeting.rrule, meeting.start_date)
        kind, value = recurrence.rule_end(meeting.rrule)
        initial = {
            "title": meeting.title,
            "description": meeting.description,
            "start_date": meeting.start_date,
            "start_time": meeting.start_time,
            "duration_minutes": meeting.duration_minutes,
            "time_zone": meeting.time_zone,
            "repeat": preset,
            "place": meeting.place,
            "online_url": meeting.online_url,
            "invited_organisations": list(meeting.invited_organisations.all()),
        }
        if preset == "custom":
            initial["custom_rule"] = meeting.rrule
        elif kind == "COUNT":
            initial["count"] = int(value)
        elif kind == "UNTIL":
            until = datetime.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)
            initial["until"] = until.astimezone(meeting.tz).date()
        return initial

    def clean(self) -> dict:
        data = super().clean()
        start_date, start_time = data.get("start_date"), data.get("start_time")
        if start_date and start_time:
            data["start"] = datetime.datetime.combine(start_date, start_time)
        repeat = data.get("repeat")
        until, count = data.get("until"), data.get("count")
        if until and count:
            self.add_error("count", _("Give an end date or a number of meetings, not both."))
            return data
        if repeat == "custom":
            rule = (data.get("custom_rule") or "").strip()
            if not rule:
                self.add_error("custom_rule", _("Write the rule, or choose a preset."))
                return data
            kind, _value = recurrence.rule_end(rule) if "=" in rule else ("", "")
            data["rrule"] = rule if kind else recurrence.with_end(rule, until=until, count=count)
        elif repeat in ("weekly", "biweekly", "monthly") and start_date:
            data["rrule"] = recurrence.with_end(
                recurrence.preset_rule(repeat, start_date), until=until, count=count
            )
        else:
            data["rrule"] = ""
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "start": data["start"],
            "time_zone": data["time_zone"],
            "duration_minutes": data["duration_minutes"],
            "rrule": data["rrule"],
            "place": data["place"],
            "online_url": data["online_url"],
            "invited_organisations": list(data["invited_organisations"]),
        }


class SittingMoveForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(label=_("Starts at (local time)"), widget=TimeInput())
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=5, max_value=24 * 60
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=300)
    online_url = forms.URLField(
        label=_("Online meeting link"), required=False, max_length=200, assume_scheme="https"
    )
    note = forms.CharField(
        label=_("Note to the invited organisations"), required=False, max_length=500
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Item"), max_length=200)
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reviews_plan = forms.ModelChoiceField(
        label=_("Reviews the joint plan (optional)"),
        queryset=ActionPlan.objects.none(),
        required=False,
    )

    def __init__(self, *args: object, group: CoordinationGroup, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviews_plan"].queryset = group.action_plans.order_by("-start_on")


class ActivityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: object) -> str:
        return f"{obj.plan.title} · {obj.title}"  # type: ignore[attr-defined]


def activity_field() -> ActivityChoiceField:
    return ActivityChoiceField(
        label=_("For the plan's activity (optional)"),
        queryset=Activity.objects.none(),
        required=False,
    )


def group_activities(group: CoordinationGroup) -> QuerySet:
    return (
        Activity.objects.filter(plan__group=group)
        .select_related("plan")
        .order_by("plan__title", "title")
    )


class AttendanceForm(forms.Form):
    present = forms.ModelMultipleChoiceField(
        label=_("Organisations present"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, group: CoordinationGroup, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = group.members.order_by("name")


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Markdown: # heading, **bold**, - list, [link](https://…). "
            "No personal data about the people you assist."
        ),
    )


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))
    activity = activity_field()

    def __init__(self, *args: object, group: CoordinationGroup, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = group_activities(group)


def people_of(group: CoordinationGroup) -> QuerySet:
    """Who may own an action item: staff of member organisations, and the coordinators."""
    staff = Q(
        memberships__organisation__in=group.members.all(),
        memberships__is_active=True,
        memberships__organisation__is_active=True,
    )
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(staff | Q(coordinated_groups=group))
        .distinct()
        .order_by("username")
    )


def person_name(user: object) -> str:
    return user.get_full_name() or user.username  # type: ignore[attr-defined]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: object) -> str:
        return person_name(obj)


class ActionItemForm(forms.Form):
    title = forms.CharField(label=_("What is to be done"), max_length=300)
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner_organisation = forms.ModelChoiceField(
        label=_("Organisation responsible"), queryset=Organisation.objects.none(), required=False
    )
    owner_user = PersonChoiceField(
        label=_("Person responsible (optional)"),
        queryset=get_user_model().objects.none(),
        required=False,
    )
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())
    activity = activity_field()

    def __init__(self, *args: object, group: CoordinationGroup, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = group_activities(group)
        self.fields["owner_organisation"].queryset = group.members.filter(is_active=True).order_by(
            "name"
        )
        people = people_of(group)
        self.fields["owner_user"].queryset = people
        self.fields["owner_user"].choices = [
            ("", "---------"),
            *people_by_organisation(people, group.members.all(), str(_("Coordinators"))),
        ]


def people_by_organisation(
    people: QuerySet, organisations: QuerySet | None = None, others_label: str = ""
) -> list[tuple[str, list[tuple[int, str]]]]:
    """Choices of people in groups, one per organisation they work for (among
    ``organisations``, when given), so that two people of the same name are told apart by
    where they work; the people in none follow under ``others_label``."""
    memberships = Membership.objects.active().filter(user__in=people)
    if organisations is not None:
        memberships = memberships.filter(organisation__in=organisations)
    groups: dict[str, list[tuple[int, str]]] = {}
    placed = set()
    for membership in memberships.select_related("user", "organisation").order_by(
        "organisation__name", "user__first_name", "user__last_name", "user__username"
    ):
        groups.setdefault(membership.organisation.name, []).append(
            (membership.user_id, person_name(membership.user))
        )
        placed.add(membership.user_id)
    if others_label:
        others = [(p.pk, person_name(p)) for p in people if p.pk not in placed]
        if others:
            groups[others_label] = others
    return list(groups.items())


class ActionItemUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    progress_note = forms.CharField(
        label=_("Progress"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AlertForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("Sent by e-mail to every member organisation: no personal data."),
    )
    message = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}))


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        widget=forms.Select(attrs={"translate": "no"}),  # identifiers (Africa/Tunis), not words
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Member organisations"),
        queryset=Organisation.objects.active().order_by("name"),
        widget=forms.CheckboxSelectMultiple,
    )


class GroupCreateForm(GroupForm):
    """A new group: who convenes it (an organisation the person supervises or administers; any,
    for a platform admin), its members and its coordinators."""

    convening_organisation = forms.ModelChoiceField(
        label=_("Convened by"), queryset=Organisation.objects.none()
    )
    coordinators = forms.ModelMultipleChoiceField(
        label=_("Coordinators"),
        queryset=get_user_model().objects.none(),
        help_text=_(
            "They schedule the meetings and keep the group. Staff of the convening or member "
            "organisations; hold Ctrl (or ⌘) to choose several."
        ),
    )
    field_order = ["name", "description", "convening_organisation", "members", "coordinators"]

    def __init__(self, *args: object, conveners: QuerySet, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].required = False
        self.fields["members"].help_text = _("The convening organisation is always a member.")
        self.fields["convening_organisation"].queryset = conveners
        staff = (
            get_user_model()
            .objects.filter(is_active=True, memberships__in=Membership.objects.active())
            .distinct()
        )
        self.fields["coordinators"].queryset = staff
        self.fields["coordinators"].choices = people_by_organisation(staff)
        self.fields["coordinators"].widget.attrs["size"] = 8

    def clean(self) -> dict:
        data = super().clean()
        convening = data.get("convening_organisation")
        if convening is None:
            return data
        organisations = {convening.pk, *(o.pk for o in data.get("members") or ())}
        working_there = set(
            Membership.objects.active()
            .filter(organisation__in=organisations, user__in=data.get("coordinators") or ())
            .values_list("user_id", flat=True)
        )
        strangers = [p for p in data.get("coordinators") or () if p.pk not in working_there]
        if strangers:
            self.add_error(
                "coordinators",
                _("%(names)s work for none of the group's organisations.")
                % {"names": ", ".join(person_name(p) for p in strangers)},
            )
        return data


class PlanForm(forms.Form):
    """A plan with one role (and contact) per member organisation."""

    title = forms.CharField(label=_("Scenario"), max_length=200)
    scenario = forms.CharField(
        label=_("Description of the scenario"), widget=forms.Textarea(attrs={"rows": 4})
    )
    contacts = forms.CharField(
        label=_("Contacts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Hotlines and duty phones for this scenario."),
    )
    last_reviewed_on = forms.DateField(
        label=_("Last reviewed on"), required=False, widget=DateInput()
    )

    def __init__(
        self,
        *args: object,
        group: CoordinationGroup,
        plan: ContingencyPlan | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = list(group.members.order_by("name"))
        roles = {role.organisation_id: role for role in plan.roles.all()} if plan else {}
        for organisation in self.organisations:
            role = roles.get(organisation.pk)
            self.fields[f"role_{organisation.pk}"] = forms.CharField(
                label=_("Role of %(organisation)s")
                % {"organisation": names.isolated(organisation.name)},
                required=False,
                initial=role.role if role else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"contact_{organisation.pk}"] = forms.CharField(
                label=_("Contact at %(organisation)s")
                % {"organisation": names.isolated(organisation.name)},
                required=False,
                max_length=300,
                initial=role.contact if role else "",
            )

    def role_rows(self) -> list[tuple[Organisation, object, object]]:
        return [(o, self[f"role_{o.pk}"], self[f"contact_{o.pk}"]) for o in self.organisations]

    def roles(self) -> dict[int, tuple[str, str]]:
        return {
            o.pk: (
                self.cleaned_data.get(f"role_{o.pk}", ""),
                self.cleaned_data.get(f"contact_{o.pk}", ""),
            )
            for o in self.organisations
        }

    def plan_fields(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("title", "scenario", "contacts")} | {
            "last_reviewed_on": self.cleaned_data["last_reviewed_on"]
        }
