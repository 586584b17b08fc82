"""Referral statistics of a scope, computed in the database (GROUP BY, percentiles) with a fixed
number of queries whatever the number of referrals, then protected (``disclosure``).

A referral counts in the period of the month it was submitted (in the scope's time zone). It
is *sent* by the scope when its sender is one of the scope's organisations, *received* when its
receiver is (moderation-held and rejected referrals never reached the receiver). A referral
between two organisations of a group counts on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Count, F, Q, QuerySet, When
from django.db.models.functions import Coalesce, Lower, TruncMonth
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from organisations.models import CapacityStatus, Organisation, Service, ServiceCategory
from referrals.insight import disclosure
from referrals.insight.functions import Percentile, Seconds
from referrals.insight.scope import Filters, Scope, counted_organisation_ids
from referrals.insight.tables import Row, Table
from referrals.models import (
    DeclineReason,
    ExternalOutcome,
    ExternalReferral,
    Referral,
    State,
    Urgency,
)

SENT = "sent"
RECEIVED = "received"
HOUR = 3600.0


@dataclass
class Report:
    scope: Scope
    filters: Filters
    tables: list[Table] = field(default_factory=list)

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)

    def as_dict(self) -> dict:
        return {
            "scope": self.scope.as_dict(),
            "period": self.filters.as_dict(),
            "min_cell": disclosure.min_cell(),
            "tables": [table.as_dict() for table in self.tables],
        }


def _directions() -> list[tuple[str, str]]:
    return [(SENT, pgettext("referrals", "Sent")), (RECEIVED, pgettext("referrals", "Received"))]


def _base(scope: Scope, filters: Filters) -> tuple[QuerySet[Referral], Q, Q]:
    ids = counted_organisation_ids(scope, filters)
    start, end = filters.bounds(scope)
    sent = Q(from_organisation_id__in=ids)
    received = Q(to_organisation_id__in=ids) & ~Q(
        state__in=[State.PENDING_MODERATION, State.REJECTED]
    )
    referrals = Referral.objects.filter(submitted_at__gte=start, submitted_at__lt=end).filter(
        sent | Q(to_organisation_id__in=ids)
    )
    if filters.category:
        referrals = referrals.filter(service_category=filters.category)
    return referrals.order_by(), sent, received


def _grouped(
    referrals: QuerySet, sent: Q, received: Q, scope: Scope
) -> dict[str, dict[object, dict[str, int]]]:
    """One scan of the period's referrals, grouped finely (state, category, urgency, decline
    reason, month), then summed here into every breakdown and the overview counts."""
    accepted = Q(answered_at__isnull=False) & ~Q(state=State.DECLINED)
    rows = (
        referrals.annotate(month=TruncMonth("submitted_at", tzinfo=scope.time_zone))
        .values("state", "service_category", "urgency", "decline_reason", "month")
        .annotate(
            sent=Count("pk", filter=sent),
            received=Count("pk", filter=received),
            sent_accepted=Count("pk", filter=sent & accepted),
            received_accepted=Count("pk", filter=received & accepted),
            sent_answered=Count("pk", filter=sent & Q(answered_at__isnull=False)),
            received_answered=Count("pk", filter=received & Q(answered_at__isnull=False)),
        )
    )
    sums: dict[str, dict[object, dict[str, int]]] = {
        name: {} for name in ("state", "category", "urgency", "decline", "month", "overview")
    }

    def add(name: str, key: object, row: dict) -> None:
        bucket = sums[name].setdefault(key, {})
        for figure, value in row.items():
            if isinstance(value, int):
                bucket[figure] = bucket.get(figure, 0) + value

    for row in rows:
        figures = {k: v for k, v in row.items() if k.startswith(("sent", "received"))}
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        add("state", row["state"], figures)
        add("category", row["service_category"], figures)
        add("urgency", row["urgency"], figures)
        add("month", month, figures)
        if row["state"] == State.DECLINED:
            add("decline", row["decline_reason"], figures)
        add("overview", "all", figures)
    return sums


def _partition(
    name: str, title: str, keys: list[tuple[str, str]], counts: dict[object, dict]
) -> Table:
    """A breakdown whose cells add up to the sent (and the received) total, protected."""
    table = Table(name=name, title=title, columns=_directions(), protected=(SENT, RECEIVED))
    cells: dict[str, dict] = {}
    totals: dict[str, object] = {}
    for direction, _label in table.columns:
        line = {key: counts.get(key, {}).get(direction, 0) for key, _ in keys}
        cells[direction], totals[direction] = disclosure.protect_counts(line)
    table.rows = [
        Row(key=str(key), label=str(label), values={d: cells[d][key] for d, _ in table.columns})
        for key, label in keys
    ]
    table.total = Row(key="total", label=_("Total"), values=totals)
    return table


def off_platform(scope: Scope, filters: Filters) -> Table:
    """Referrals the scope's organisations made to organisations not on the platform, in the
    period, by category: made, and the outcome the senders reported (one scan, protected)."""
    ids = counted_organisation_ids(scope, filters)
    start, end = filters.bounds(scope)
    rows = ExternalReferral.objects.filter(
        from_organisation_id__in=ids, created_at__gte=start, created_at__lt=end
    )
    if filters.category:
        rows = rows.filter(service_category=filters.category)
    counts: dict[tuple[str, str], int] = {
        (row["service_category"], row["outcome"]): row["n"]
        for row in rows.order_by().values("service_category", "outcome").annotate(n=Count("pk"))
    }
    columns = [
        ("made", pgettext("off-platform referrals", "Made")),
        *[(o.value, o.label) for o in ExternalOutcome],
        ("", _("Not reported yet")),
    ]
    table = Table(
        name="off_platform",
        title=_("Referrals to organisations not on the platform"),
        columns=[(key or "awaiting", label) for key, label in columns],
        protected=tuple(key or "awaiting" for key, _label in columns),
    )
    categories = [c for c in ServiceCategory if not filters.category or c == filters.category]
    cells: dict[str, dict] = {}
    totals: dict[str, object] = {}
    for key, _label in columns:
        line = {
            c.value: sum(
                n for (cat, outcome), n in counts.items() if cat == c and key in ("made", outcome)
            )
            for c in categories
        }
        cells[key or "awaiting"], totals[key or "awaiting"] = disclosure.protect_counts(line)
    table.rows = [
        Row(
            key=c.value, label=str(c.label), values={k: cells[k][c.value] for k, _ in table.columns}
        )
        for c in categories
    ]
    table.total = Row(key="total", label=_("Total"), values=totals)
    return table


def month_label(month: object) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def referral_report(scope: Scope, filters: Filters) -> Report:
    """Every referral table of the statistics page and API, in a fixed handful of scans."""
    referrals, sent, received = _base(scope, filters)
    grouped = _grouped(referrals, sent, received, scope)
    report = Report(scope=scope, filters=filters)
    report.tables.append(_overview(grouped, scope, filters))
    report.tables.append(
        _partition("by_state", _("By state"), [(s.value, s.label) for s in State], grouped["state"])
    )
    report.tables.append(
        _partition(
            "by_category",
            _("By service category"),
            [(c.value, c.label) for c in ServiceCategory],
            grouped["category"],
        )
    )
    report.tables.append(
        _partition(
            "by_urgency",
            _("By urgency"),
            [(u.value, u.label) for u in Urgency],
            grouped["urgency"],
        )
    )
    month_keys = disclosure.months_between(filters.first_month, filters.last_month)
    by_month = _partition(
        "by_month", _("By month"), [(m, month_label(m)) for m in month_keys], grouped["month"]
    )
    for row, month in zip(by_month.rows, month_keys, strict=True):
        row.key = month.strftime("%Y-%m")
    report.tables.append(by_month)
    report.tables.append(
        _partition(
            "decline_reasons",
            _("Decline reasons"),
            [(r.value, r.label) for r in DeclineReason],
            grouped["decline"],
        )
    )
    report.tables.extend(_response_times(referrals, sent, received))
    report.tables.append(_pairs(referrals, scope, filters))
    report.tables.append(unmet_needs(scope, filters, referrals=referrals))
    report.tables.append(off_platform(scope, filters))
    return report


def _overview(grouped: dict, scope: Scope, filters: Filters) -> Table:
    by_state = grouped["state"]
    everything = grouped["overview"].get("all", {})
    figures: dict[str, int] = {}
    for direction in (SENT, RECEIVED):
        figures[f"{direction}_submitted"] = everything.get(direction, 0)
        figures[f"{direction}_accepted"] = everything.get(f"{direction}_accepted", 0)
        figures[f"{direction}_answered"] = everything.get(f"{direction}_answered", 0)
        for state in (State.DECLINED, State.COMPLETED, State.EXPIRED):
            figures[f"{direction}_{state}"] = by_state.get(state, {}).get(direction, 0)
    ids = counted_organisation_ids(scope, filters)
    overdue = Referral.objects.overdue(now=timezone.now())
    if filters.category:
        overdue = overdue.filter(service_category=filters.category)
    overdue_now = overdue.aggregate(
        sent=Count("pk", filter=Q(from_organisation_id__in=ids)),
        received=Count("pk", filter=Q(to_organisation_id__in=ids)),
    )
    labels = [
        ("submitted", _("Referrals")),
        ("accepted", _("Accepted")),
        ("declined", _("Declined")),
        ("completed", _("Completed")),
        ("expired", _("Expired without an answer")),
        ("overdue_now", _("Overdue now (awaiting an answer past the due time)")),
        ("acceptance_rate", _("Acceptance rate (percent of the referrals answered)")),
    ]
    table = Table(
        name="overview",
        title=_("Overview"),
        columns=_directions(),
        protected=(SENT, RECEIVED),
        note=_("Overdue now counts every referral awaiting an answer today, whatever the period."),
    )
    for key, label in labels:
        values = {}
        for direction, _d in table.columns:
            if key == "acceptance_rate":
                values[direction] = disclosure.protect_rate(
                    figures[f"{direction}_accepted"], figures[f"{direction}_answered"]
                )
            elif key == "overdue_now":
                values[direction] = _primary(overdue_now[direction])
            else:
                values[direction] = _primary(figures[f"{direction}_{key}"])
        table.rows.append(Row(key=key, label=str(label), values=values))
    return table


def _primary(value: int) -> object:
    return disclosure.shown(value, disclosure.is_small(value))


def _response_times(referrals: QuerySet, sent: Q, received: Q) -> list[Table]:
    """Median and 90th percentile, in hours, from submission to the first answer, to
    acceptance and to completion, over the referrals received and over those sent."""
    measures = {
        "acknowledge": (
            Q(answered_at__isnull=False) | Q(acknowledged_at__isnull=False),
            Coalesce("acknowledged_at", "answered_at"),
            _("Received (opened or answered)"),
        ),
        "accept": (
            Q(answered_at__isnull=False) & ~Q(state=State.DECLINED),
            F("answered_at"),
            _("Accepted"),
        ),
        "complete": (Q(state=State.COMPLETED), F("closed_at"), _("Completed")),
    }
    aggregates = {}
    for direction, condition in ((SENT, sent), (RECEIVED, received)):
        for name, (reached, moment, _label) in measures.items():
            when = condition & reached
            seconds = Case(When(when, then=Seconds(moment, "submitted_at")), default=None)
            aggregates[f"{direction}_{name}_n"] = Count("pk", filter=when)
            aggregates[f"{direction}_{name}_p50"] = Percentile(seconds, 0.5)
            aggregates[f"{direction}_{name}_p90"] = Percentile(seconds, 0.9)
    figures = referrals.aggregate(**aggregates)
    columns = [
        ("count", _("Referrals")),
        ("median_hours", _("Median (hours)")),
        ("p90_hours", _("90th percentile (hours)")),
    ]
    tables = []
    for direction, title in (
        (RECEIVED, _("Response times of the referrals received")),
        (SENT, _("Response times of the referrals sent")),
    ):
        table = Table(
            name=f"response_times_{direction}", title=title, columns=columns, protected=("count",)
        )
        for name, (_reached, _moment, label) in measures.items():
            n = figures[f"{direction}_{name}_n"]
            p50, p90 = figures[f"{direction}_{name}_p50"], figures[f"{direction}_{name}_p90"]
            table.rows.append(
                Row(
                    key=name,
                    label=str(label),
                    values={
                        "count": _primary(n),
                        "median_hours": disclosure.protect_measure(
                            n, p50 / HOUR if p50 is not None else None
                        ),
                        "p90_hours": disclosure.protect_measure(
                            n, p90 / HOUR if p90 is not None else None
                        ),
                    },
                )
            )
        tables.append(table)
    return tables


def _pairs(referrals: QuerySet, scope: Scope, filters: Filters) -> Table:
    """Who refers to whom: senders (rows) by receivers (columns), protected as a grid."""
    rows = list(
        referrals.exclude(state__in=[State.PENDING_MODERATION, State.REJECTED])
        .values("from_organisation", "to_organisation")
        .annotate(n=Count("pk"))
    )
    ids = {r["from_organisation"] for r in rows} | {r["to_organisation"] for r in rows}
    names = dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))
    senders = sorted({r["from_organisation"] for r in rows}, key=lambda pk: names[pk].casefold())
    receivers = sorted({r["to_organisation"] for r in rows}, key=lambda pk: names[pk].casefold())
    counts = {(r["from_organisation"], r["to_organisation"]): r["n"] for r in rows}
    cells, row_totals, column_totals = disclosure.protect_grid(counts, senders, receivers)
    table = Table(
        name="pairs",
        title=_("Who refers to whom (senders in rows, receivers in columns)"),
        columns=[*((str(pk), names[pk]) for pk in receivers), ("total", _("Total"))],
        protected=(*(str(pk) for pk in receivers), "total"),
    )
    for sender in senders:
        values = {str(receiver): cells[(sender, receiver)] for receiver in receivers}
        values["total"] = row_totals[sender]
        table.rows.append(Row(key=str(sender), label=names[sender], values=values))
    grand = sum(counts.values())
    table.total = Row(
        key="total",
        label=_("Total"),
        values={
            **{str(receiver): column_totals[receiver] for receiver in receivers},
            "total": _primary(grand),
        },
    )
    return table


def unmet_needs(scope: Scope, filters: Filters, *, referrals: QuerySet | None = None) -> Table:
    """Per city and category: what was requested, declined for lack of capacity, and what the
    directory offers (with its capacity), beside the gaps and overlaps of the matrix."""
    if referrals is None:
        referrals, _sent, _received = _base(scope, filters)
    ids = counted_organisation_ids(scope, filters)
    cities = sorted(
        {o.city for o in scope.organisations if o.pk in ids and o.city}, key=str.casefold
    )
    if filters.city:
        cities = [c for c in cities if c.casefold() == filters.city.casefold()]
    requested = {
        (row["city"], row["service_category"]): row
        for row in referrals.exclude(state__in=[State.PENDING_MODERATION, State.REJECTED])
        .annotate(city=Lower("to_organisation__city"))
        .values("city", "service_category")
        .annotate(
            n=Count("pk"),
            no_capacity=Count(
                "pk",
                filter=Q(state=State.DECLINED, decline_reason=DeclineReason.NO_CAPACITY),
            ),
        )
    }
    services = Service.objects.active().annotate(city_key=Lower("city"))
    services = services.filter(city_key__in=[c.casefold() for c in cities])
    if filters.category:
        services = services.filter(category=filters.category)
    offered: dict[tuple[str, str], dict] = {}
    for city, category, capacity, organisation in services.values_list(
        "city_key", "category", "capacity_status", "organisation_id"
    ):
        entry = offered.setdefault(
            (city, category),
            {"services": 0, "providers": set(), **dict.fromkeys(CapacityStatus, 0)},
        )
        entry["services"] += 1
        entry[capacity] += 1
        entry["providers"].add(organisation)
    categories = [c for c in ServiceCategory if not filters.category or c == filters.category]
    keys = [(city.casefold(), category.value) for city in cities for category in categories]
    request_cells, _r_rows, _r_cols = disclosure.protect_grid(
        {k: requested.get(k, {}).get("n", 0) for k in keys},
        [c.casefold() for c in cities],
        [c.value for c in categories],
    )
    request_cells = {k: request_cells[k] for k in keys}
    declined_cells, _d_rows, _d_cols = disclosure.protect_grid(
        {k: requested.get(k, {}).get("no_capacity", 0) for k in keys},
        [c.casefold() for c in cities],
        [c.value for c in categories],
    )
    table = Table(
        name="unmet_needs",
        title=_("Unmet needs: requests, lack of capacity and what the directory offers"),
        columns=[
            ("requested", _("Referrals")),
            ("declined_no_capacity", _("Declined: no capacity")),
            ("services", _("Services offered")),
            *((c.value, c.label) for c in CapacityStatus),
            ("providers", _("Organisations offering it")),
        ],
        protected=("requested", "declined_no_capacity"),
        note=_(
            "No organisation offering a category is a gap; two or more in the same city is an "
            "overlap (see who does what where)."
        ),
    )
    city_names = {c.casefold(): c for c in cities}
    for city_key, category in keys:
        entry = offered.get((city_key, category), {})
        table.rows.append(
            Row(
                key=f"{city_key}:{category}",
                label=f"{city_names[city_key]} · {ServiceCategory(category).label}",
                values={
                    "requested": request_cells[(city_key, category)],
                    "declined_no_capacity": declined_cells[(city_key, category)],
                    "services": entry.get("services", 0),
                    **{c.value: entry.get(c.value, 0) for c in CapacityStatus},
                    "providers": len(entry.get("providers", ())),
                },
            )
        )
    return table
