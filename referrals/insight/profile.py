"""The migration profile of a scope ("profil migratoire"): the people its organisations
registered, counted by age band, sex, nationality, vulnerability, language and month of
registration. Six queries whatever the number of cases; every table protected
(``disclosure``); no case id, reference, name, free text or date finer than the month.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from organisations.names import country_name, language_name
from referrals.insight import disclosure
from referrals.insight.scope import Filters, Scope, counted_organisation_ids
from referrals.insight.statistics import Report, month_label
from referrals.insight.tables import Row, Table
from referrals.models import AgeBand, Case, Sex, Vulnerability

CASES = "cases"
OTHER = "other"
UNKNOWN = "unknown"


def _cases(scope: Scope, filters: Filters) -> QuerySet[Case]:
    start, end = filters.bounds(scope)
    return Case.objects.filter(
        owner_id__in=counted_organisation_ids(scope, filters),
        created_at__gte=start,
        created_at__lt=end,
    ).order_by()


def _table(
    name: str, title: str, keys: list[tuple[str, str]], counts: dict[str, int], *, total: bool
) -> Table:
    cells, protected_total = disclosure.protect_counts({key: counts.get(key, 0) for key, _ in keys})
    table = Table(
        name=name, title=title, columns=[(CASES, _("People registered"))], protected=(CASES,)
    )
    table.rows = [Row(key=key, label=str(label), values={CASES: cells[key]}) for key, label in keys]
    if total:
        table.total = Row(key="total", label=_("Total"), values={CASES: protected_total})
    return table


def json_list_counts(cases: QuerySet[Case], column: str) -> dict[str, int]:
    """How many cases list each value of a JSON list column (languages, vulnerabilities), in
    one grouped query on the database's own JSON functions."""
    if column not in ("languages", "vulnerabilities"):
        raise ValueError(column)
    try:
        ids_sql, params = cases.values("pk").query.sql_with_params()
    except EmptyResultSet:  # the filters exclude everything (a city nobody works in)
        return {}
    table = connection.ops.quote_name(Case._meta.db_table)
    field = connection.ops.quote_name(column)
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT item, COUNT(*) FROM {table} c, jsonb_array_elements_text(c.{field}) item "  # noqa: S608  # quoted constant names, parameter values  # nosec B608
            f"WHERE c.id IN ({ids_sql}) AND jsonb_typeof(c.{field}) = 'array' GROUP BY item"
        )
    else:
        sql = (
            f"SELECT j.value, COUNT(*) FROM {table} c, json_each(c.{field}) j "  # noqa: S608  # nosec B608
            f"WHERE c.id IN ({ids_sql}) AND json_type(c.{field}) = 'array' GROUP BY j.value"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {str(value): count for value, count in cursor.fetchall()}


def profile_report(scope: Scope, filters: Filters) -> Report:
    cases = _cases(scope, filters)
    report = Report(scope=scope, filters=filters)

    ages = dict(cases.values_list("age_band").annotate(n=Count("pk")))
    report.tables.append(
        _table(
            "by_age_band", _("Age band"), [(a.value, a.label) for a in AgeBand], ages, total=True
        )
    )
    sexes = dict(cases.values_list("sex").annotate(n=Count("pk")))
    report.tables.append(
        _table("by_sex", _("Sex"), [(s.value, s.label) for s in Sex], sexes, total=True)
    )

    nationalities: dict[str, int] = {}
    for row in cases.values("nationality").annotate(
        n=Count("pk"), other=Count("pk", filter=~Q(nationality_other=""))
    ):
        code = row["nationality"]
        if code:
            nationalities[code] = nationalities.get(code, 0) + row["n"]
        else:
            nationalities[OTHER] = nationalities.get(OTHER, 0) + row["other"]
            nationalities[UNKNOWN] = nationalities.get(UNKNOWN, 0) + row["n"] - row["other"]
    codes = sorted(
        (c for c in nationalities if c not in (OTHER, UNKNOWN)),
        key=lambda c: (-nationalities[c], country_name(c).casefold()),
    )
    report.tables.append(
        _table(
            "by_nationality",
            _("Nationality"),
            [
                *((c, country_name(c)) for c in codes),
                (OTHER, _("Other or stateless")),
                (UNKNOWN, _("Not recorded")),
            ],
            nationalities,
            total=True,
        )
    )

    vulnerabilities = json_list_counts(cases, "vulnerabilities")
    vulnerability_table = _table(
        "by_vulnerability",
        _("Vulnerabilities (a person may have several)"),
        [(v.value, v.label) for v in Vulnerability],
        vulnerabilities,
        total=False,
    )
    report.tables.append(vulnerability_table)

    languages = json_list_counts(cases, "languages")
    language_keys = sorted(
        languages, key=lambda code: (-languages[code], language_name(code).casefold())
    )
    report.tables.append(
        _table(
            "by_language",
            _("Languages spoken (a person may speak several)"),
            [(code, language_name(code)) for code in language_keys],
            languages,
            total=False,
        )
    )

    months = {}
    for row in (
        cases.annotate(month=TruncMonth("created_at", tzinfo=scope.time_zone))
        .values("month")
        .annotate(n=Count("pk"))
    ):
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        months[month.strftime("%Y-%m")] = row["n"]
    month_keys = disclosure.months_between(filters.first_month, filters.last_month)
    report.tables.append(
        _table(
            "by_month",
            _("Month of registration"),
            [(m.strftime("%Y-%m"), month_label(m)) for m in month_keys],
            months,
            total=True,
        )
    )
    return report
