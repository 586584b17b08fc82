"""Whose figures a user may see: supervisors their organisation's, coordinators their group's
member organisations'. Nobody else (a caseworker, an organisation admin, a platform admin
without such a role) sees statistics."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.errors import NotAllowed, ValidationFailed
from coordination import selectors as coordination_selectors
from coordination.models import CoordinationGroup
from organisations.models import Organisation, Role
from organisations.selectors import memberships_of
from referrals.insight import disclosure


class ScopeKind(models.TextChoices):
    ORGANISATION = "organisation", gettext_lazy("Organisation")
    GROUP = "group", gettext_lazy("Coordination group")


ORGANISATION = ScopeKind.ORGANISATION.value
GROUP = ScopeKind.GROUP.value
MAX_MONTHS = 120


@dataclass(frozen=True)
class ScopeChoice:
    kind: str
    pk: int
    name: str

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.pk}"


@dataclass
class Scope:
    """The organisations whose referrals and cases are counted, and how to read months."""

    kind: str
    pk: int
    name: str
    organisations: list[Organisation]
    time_zone: zoneinfo.ZoneInfo
    choices: list[ScopeChoice] = field(default_factory=list)

    @property
    def organisation_ids(self) -> list[int]:
        return [o.pk for o in self.organisations]

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.pk}"

    @property
    def cities(self) -> list[str]:
        return sorted({o.city for o in self.organisations if o.city}, key=str.casefold)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "id": self.pk,
            "name": self.name,
            "time_zone": str(self.time_zone.key),
            "organisations": [{"id": o.pk, "name": o.name} for o in self.organisations],
        }


@dataclass
class Filters:
    """A period of whole months and optional narrowing within the scope."""

    first_month: datetime.date
    last_month: datetime.date
    organisation: Organisation | None = None
    category: str = ""
    city: str = ""

    def bounds(self, scope: Scope) -> tuple[datetime.datetime, datetime.datetime]:
        return disclosure.period_bounds(self.first_month, self.last_month, scope.time_zone)

    def as_dict(self) -> dict:
        return {
            "start": self.first_month.strftime("%Y-%m"),
            "end": self.last_month.strftime("%Y-%m"),
            "organisation": self.organisation.pk if self.organisation else None,
            "category": self.category or None,
            "city": self.city or None,
        }


def scope_choices(user: object) -> list[ScopeChoice]:
    """Every scope the user may read (two queries)."""
    supervised = [
        ScopeChoice(ORGANISATION, m.organisation_id, m.organisation.name)
        for m in memberships_of(user).filter(role=Role.SUPERVISOR)
    ]
    coordinated = [
        ScopeChoice(GROUP, group.pk, group.name)
        for group in coordination_selectors.groups_coordinated_by(user)
    ]
    return supervised + coordinated


def scope_resolve(user: object, value: str = "") -> Scope:
    """The scope named by ``value`` ("organisation:<id>" or "group:<id>"), or the user's first.

    Raises NotAllowed (403) for a user with no scope, or a scope that is not theirs.
    """
    choices = scope_choices(user)
    if not choices:
        raise NotAllowed(_("Statistics are for supervisors and coordinators."))
    chosen = choices[0]
    if value:
        matching = [choice for choice in choices if choice.value == value]
        if not matching:
            raise NotAllowed(_("These statistics are outside your organisation and groups."))
        chosen = matching[0]
    if chosen.kind == ORGANISATION:
        organisation = Organisation.objects.get(pk=chosen.pk)
        return Scope(
            kind=ORGANISATION,
            pk=organisation.pk,
            name=organisation.name,
            organisations=[organisation],
            time_zone=zoneinfo.ZoneInfo(settings.TIME_ZONE),
            choices=choices,
        )
    group = CoordinationGroup.objects.prefetch_related(
        Prefetch("members", queryset=Organisation.objects.order_by("name"))
    ).get(pk=chosen.pk)
    return Scope(
        kind=GROUP,
        pk=group.pk,
        name=group.name,
        organisations=list(group.members.all()),
        time_zone=zoneinfo.ZoneInfo(group.time_zone),
        choices=choices,
    )


def default_period(scope: Scope) -> tuple[datetime.date, datetime.date]:
    """The last twelve months, this one included, in the scope's time zone."""
    today = timezone.now().astimezone(scope.time_zone).date()
    last = disclosure.month_start(today)
    first = last
    for _month in range(11):
        first = disclosure.month_start(first - datetime.timedelta(days=1))
    return first, last


def filters_resolve(
    scope: Scope,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    organisation: int | None = None,
    category: str = "",
    city: str = "",
) -> Filters:
    """Check the narrowing against the scope; dates widen to whole months (disclosure rule 1)."""
    first, last = default_period(scope)
    first = disclosure.month_start(start) if start else first
    last = disclosure.month_start(end) if end else max(last, first)
    if first > last:
        raise ValidationFailed(_("The period ends before it starts."), field="end")
    if len(disclosure.months_between(first, last)) > MAX_MONTHS:
        raise ValidationFailed(_("Choose a period of at most ten years."), field="start")
    chosen = None
    if organisation is not None:
        chosen = next((o for o in scope.organisations if o.pk == organisation), None)
        if chosen is None:
            raise ValidationFailed(
                _("Choose one of the organisations of this scope."), field="organisation"
            )
    return Filters(
        first_month=first, last_month=last, organisation=chosen, category=category, city=city
    )


def counted_organisation_ids(scope: Scope, filters: Filters) -> list[int]:
    organisations = scope.organisations
    if filters.organisation is not None:
        organisations = [filters.organisation]
    if filters.city:
        city = filters.city.casefold()
        organisations = [o for o in organisations if o.city.casefold() == city]
    return [o.pk for o in organisations]
