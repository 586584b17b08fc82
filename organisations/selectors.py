"""Reads of the registry: directories, the who-does-what-where matrix, a user's organisations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from organisations import permissions
from organisations.exceptions import NotAllowed
from organisations.models import (
    Membership,
    Organisation,
    Partnership,
    Service,
    ServiceCategory,
    active_partnership_q,
)

if TYPE_CHECKING:
    from config.types import Actor


def memberships_of(user: Actor) -> QuerySet[Membership]:
    """The memberships that give this user access now, with their organisations."""
    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none()
    return Membership.objects.active().filter(user=user).select_related("organisation")


def organisation_list(
    *,
    search: str = "",
    kind: str = "",
    city: str = "",
    category: str = "",
    capacity: str = "",
) -> QuerySet[Organisation]:
    """The directory of active organisations, filtered; annotated with trust and service count."""
    organisations = Organisation.objects.active().with_trust()
    if search:
        organisations = organisations.filter(
            Q(name__icontains=search) | Q(description__icontains=search) | Q(city__icontains=search)
        )
    if kind:
        organisations = organisations.filter(kind=kind)
    if city:
        organisations = organisations.filter(city__iexact=city)
    if category or capacity:
        services = Service.objects.active().filter(organisation=OuterRef("pk"))
        if category:
            services = services.filter(category=category)
        if capacity:
            services = services.filter(capacity_status=capacity)
        organisations = organisations.filter(Exists(services))
    return organisations.annotate(
        service_count=Count("services", filter=Q(services__is_active=True), distinct=True)
    ).order_by("name")


def organisation_detail_queryset() -> QuerySet[Organisation]:
    """One organisation's page: its active services and partnerships in two more queries."""
    return Organisation.objects.with_trust().prefetch_related(
        Prefetch("services", queryset=Service.objects.filter(is_active=True)),
        Prefetch(
            "partnerships",
            queryset=Partnership.objects.select_related("municipality").order_by("-starts_on"),
        ),
        Prefetch(
            "partnerships_as_municipality",
            queryset=Partnership.objects.select_related("organisation").order_by("-starts_on"),
        ),
    )


def service_list(
    *,
    search: str = "",
    category: str = "",
    city: str = "",
    capacity: str = "",
    organisation: int | None = None,
    language: str = "",
) -> QuerySet[Service]:
    services: QuerySet[Service] = Service.objects.active().select_related("organisation")
    if search:
        services = services.filter(
            Q(name__icontains=search)
            | Q(description__icontains=search)
            | Q(organisation__name__icontains=search)
            | Q(area_served__icontains=search)
        )
    if category:
        services = services.filter(category=category)
    if city:
        services = services.filter(city__iexact=city)
    if capacity:
        services = services.filter(capacity_status=capacity)
    if organisation:
        services = services.filter(organisation_id=organisation)
    if language:
        services = speaking(services, language)
    return services.order_by("category", "organisation__name", "name")


def speaking(services: QuerySet[Service], language: str) -> QuerySet[Service]:
    """The services where this language (an ISO 639 code) is spoken; ``fr`` finds ``fr-tn`` too."""
    # The list is JSON text on every database: a quoted code is one whole element.
    code = language.lower()
    return services.filter(
        Q(languages__icontains=f'"{code}"') | Q(languages__icontains=f'"{code}-')
    )


def service_languages() -> list[str]:
    """The language codes the active services declare (for the directory's filter)."""

    def compute() -> list[str]:
        found = {
            code
            for codes in Service.objects.active().values_list("languages", flat=True)
            for code in codes or []
        }
        return sorted(found)

    return cache.get_or_set("organisations:service-languages", compute, timeout=300) or []


def cities() -> list[str]:
    """Cities where active organisations work or services are offered (a hint for the filters).

    Cached for a few minutes: it scans every service and only feeds a datalist.
    """

    def compute() -> list[str]:
        from_orgs = Organisation.objects.active().values_list("city", flat=True).distinct()
        from_services = Service.objects.active().values_list("city", flat=True).distinct()
        found = {c.strip() for c in [*from_orgs, *from_services] if c.strip()}
        return sorted(found, key=str.casefold)

    return cache.get_or_set("organisations:cities", compute, timeout=300) or []


@dataclass
class MatrixRow:
    category: str
    label: str
    cells: list[list[Service]]  # one list of services per organisation column
    provider_count: int

    @property
    def is_gap(self) -> bool:
        return self.provider_count == 0

    @property
    def is_overlap(self) -> bool:
        return self.provider_count >= 2


@dataclass
class Matrix:
    """Who does what where: service categories (rows) by organisations (columns) for one city."""

    city: str
    area: str
    organisations: list[Organisation] = field(default_factory=list)
    rows: list[MatrixRow] = field(default_factory=list)

    @property
    def gaps(self) -> list[MatrixRow]:
        return [row for row in self.rows if row.is_gap]

    @property
    def overlaps(self) -> list[MatrixRow]:
        return [row for row in self.rows if row.is_overlap]


def service_matrix(*, city: str, area: str = "") -> Matrix:
    """Build the matrix in one query.

    An overlap is a category that two or more organisations offer in the same area (the city,
    or the district when one is chosen); a gap is a category that nobody offers there.
    """
    services = list(
        Service.objects.active()
        .filter(city__iexact=city)
        .filter(Q(area_served__icontains=area) if area else Q())
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )
    organisations: dict[int, Organisation] = {}
    for service in services:
        organisations.setdefault(service.organisation_id, service.organisation)
    columns = sorted(organisations.values(), key=lambda o: o.name.casefold())
    index = {org.pk: i for i, org in enumerate(columns)}
    rows = []
    for category, label in ServiceCategory.choices:
        cells: list[list[Service]] = [[] for _ in columns]
        for service in services:
            if service.category == category:
                cells[index[service.organisation_id]].append(service)
        rows.append(
            MatrixRow(
                category=category,
                label=str(label),
                cells=cells,
                provider_count=sum(1 for cell in cells if cell),
            )
        )
    return Matrix(city=city, area=area, organisations=columns, rows=rows)


def partnerships_in_force() -> QuerySet[Partnership]:
    return Partnership.objects.filter(active_partnership_q())


def role_in(user: Actor, organisation: Organisation) -> str | None:
    """The user's role in the organisation while their membership gives access, else None."""
    membership = memberships_of(user).filter(organisation=organisation).first()
    return membership.role if membership else None


def is_active_member(user: Actor, organisation: Organisation, roles: tuple[str, ...]) -> bool:
    return memberships_of(user).filter(organisation=organisation, role__in=roles).exists()


def organisation_members(*, organisation: Organisation, actor: Actor) -> QuerySet[Membership]:
    """Everyone who is or was a member, for the people who manage the organisation."""
    if not permissions.can_manage_organisation(actor, organisation):
        raise NotAllowed()
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("-is_active", "user__last_name", "user__first_name", "user__username")
    )
