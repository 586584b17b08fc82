"""Onboarding a directory from a spreadsheet (CSV or XLSX, read by tablib) or an HSDS data
package: organisations, their services and their admins' e-mail addresses.

Two steps. ``plan`` reads every row and says what it would do (create, change which fields, leave
as is, invite whom) and what is wrong with it, in the reader's language, writing nothing.
``apply`` writes the plan in one transaction, and only a plan without a single error: a file with
one wrong row changes nothing. Rows are matched by a natural key (an organisation by its name,
whatever the case; a service by its organisation and name), and a value equal to the one kept is
no change: importing the same file twice changes nothing the second time. An empty cell leaves
the value kept as it is (a shorter spreadsheet never erases). New admins receive their invitation
through the outbox (``services.member_invite``).

The spreadsheet has one row per service, the organisation's columns repeated (or a row with no
service for an organisation alone); its columns are ``COLUMNS`` (``docs`` and the import page
offer a template).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import tablib
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from organisations import services
from organisations.exceptions import ValidationFailed
from organisations.models import (
    CapacityStatus,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    Service,
    ServiceCategory,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ORGANISATION_COLUMNS = (
    "organisation",
    "kind",
    "city",
    "description",
    "address",
    "postal_code",
    "region",
    "phone",
    "email",
    "website",
)
SERVICE_COLUMNS = (
    "service",
    "category",
    "service_description",
    "eligibility",
    "languages",
    "area",
    "opening_hours",
    "what_to_bring",
    "capacity",
    "public",
    "confidential_location",
)
COLUMNS = (*ORGANISATION_COLUMNS, "admin_emails", *SERVICE_COLUMNS)
# column -> model field
ORGANISATION_FIELDS = {"organisation": "name", **{c: c for c in ORGANISATION_COLUMNS[1:]}}
SERVICE_FIELDS = {
    "service": "name",
    "category": "category",
    "service_description": "description",
    "eligibility": "eligibility",
    "languages": "languages",
    "area": "area_served",
    "opening_hours": "opening_hours",
    "what_to_bring": "what_to_bring",
    "capacity": "capacity_status",
    "public": "is_public",
    "confidential_location": "location_confidential",
}
EXAMPLE = (
    "Sfax Solidarity Network",
    "cso",
    "Sfax",
    "Help for migrants in Sfax.",
    "Rue de Tunis 12",
    "3000",
    "Sfax",
    "+216 74 000 100",
    "contact@example.org",
    "https://example.org",
    "director@example.org",
    "Hot meals",
    "food",
    "A hot meal every evening.",
    "Anyone",
    "ar fr en",
    "Medina",
    "Mo-Su 18:00-21:00",
    "Nothing",
    "available",
    "yes",
    "no",
)
YES = {"yes", "y", "true", "1", "x", "oui", "o", "vrai", "نعم"}
NO = {"no", "n", "false", "0", "non", "faux", "لا"}
SEPARATORS = re.compile(r"[;,\s]+")
MAX_ROWS = 5000


class UnreadableFile(ValidationFailed):
    pass


@dataclass
class Change:
    """What a row does to one object: ``action`` is create, update, unchanged, or same (an
    organisation created or changed by an earlier row)."""

    action: str
    fields: dict[str, Any] = field(default_factory=dict)
    label: str = ""


@dataclass
class Row:
    number: int
    organisation: Change
    service: Change | None = None
    invitations: list[str] = field(default_factory=list)
    promotions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class Plan:
    rows: list[Row]
    errors: list[str] = field(default_factory=list)  # about the file as a whole

    @property
    def valid(self) -> bool:
        return not self.errors and not any(row.errors for row in self.rows)

    def count(self, what: str, action: str) -> int:
        changes = {
            (change.action, change.label)
            for row in self.rows
            for change in ((row.organisation,) if what == "organisation" else (row.service,))
            if change is not None
        }
        return sum(1 for found, _label in changes if found == action)

    @property
    def invitations(self) -> list[str]:
        return sorted({email for row in self.rows for email in row.invitations})


# Reading ----------------------------------------------------------------------------------------


def read_spreadsheet(name: str, content: bytes) -> list[dict[str, str]]:
    """The rows of a CSV (UTF-8, with or without BOM; comma, semicolon or tab) or XLSX file, as
    dicts of the known columns (headers in any case, spaces or hyphens for underscores)."""
    try:
        if name.lower().endswith(".xlsx"):
            data = tablib.Dataset().load(content, format="xlsx")
        else:
            text = content.decode("utf-8-sig")
            dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
            data = tablib.Dataset().load(text, format="csv", delimiter=dialect.delimiter)
    except (UnicodeDecodeError, csv.Error, ValueError, KeyError, OSError) as error:
        raise UnreadableFile(
            _("The file could not be read as CSV (UTF-8) or XLSX: %(error)s") % {"error": error},
            field="file",
        ) from None
    except Exception as error:  # noqa: BLE001 - openpyxl raises its own for a file that is not XLSX
        raise UnreadableFile(
            _("The file could not be read as CSV (UTF-8) or XLSX: %(error)s") % {"error": error},
            field="file",
        ) from None
    headers = [_column(header) for header in data.headers or []]
    if "organisation" not in headers:
        raise UnreadableFile(
            _("The first line must name the columns, “organisation” at least."), field="file"
        )
    rows = []
    for values in data:
        row = {
            h: ("" if v is None else str(v)).strip() for h, v in zip(headers, values, strict=False)
        }
        if any(row.values()):
            rows.append({column: row.get(column, "") for column in COLUMNS})
    if len(rows) > MAX_ROWS:
        raise UnreadableFile(
            _("At most %(count)s rows at a time.") % {"count": MAX_ROWS}, field="file"
        )
    return rows


def _column(header: object) -> str:
    return re.sub(r"[\s\-]+", "_", str(header or "").strip().lower())


# Planning ---------------------------------------------------------------------------------------


def _choice(value: str, choices: type[models.TextChoices], message: str) -> str:
    """A choice by its code or its English or current-language label; ``message`` says what is
    wrong (with the value and the choices) otherwise."""
    wanted = value.strip().casefold()
    for code, label in choices.choices:
        if wanted in (code.casefold(), str(label).casefold()):
            return code
    codes = ", ".join(code for code, _label in choices.choices)
    raise ValidationError(message % {"value": value, "choices": codes})


def _yes_no(value: str) -> bool:
    if value.casefold() in YES:
        return True
    if value.casefold() in NO:
        return False
    raise ValidationError(_("“%(value)s”: write yes or no.") % {"value": value})


def _organisation_values(row: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column, name in ORGANISATION_FIELDS.items():
        if row[column]:
            values[name] = row[column]
    if "kind" in values:
        values["kind"] = _choice(
            values["kind"],
            OrganisationKind,
            _("“%(value)s” is not a kind of organisation; choose one of: %(choices)s."),
        )
    return values


def _service_values(row: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column, name in SERVICE_FIELDS.items():
        if row[column]:
            values[name] = row[column]
    if "category" in values:
        values["category"] = _choice(
            values["category"],
            ServiceCategory,
            _("“%(value)s” is not a category; choose one of: %(choices)s."),
        )
    if "capacity_status" in values:
        values["capacity_status"] = _choice(
            values["capacity_status"],
            CapacityStatus,
            _("“%(value)s” is not a capacity; choose one of: %(choices)s."),
        )
    for name in ("is_public", "location_confidential"):
        if name in values:
            values[name] = _yes_no(values[name])
    if "languages" in values:
        values["languages"] = services.clean_language_codes(
            [code for code in SEPARATORS.split(values["languages"]) if code]
        )
    return values


def _messages(error: ValidationError | ValidationFailed, labels: dict[str, str]) -> list[str]:
    if isinstance(error, ValidationFailed):
        return [f"{labels.get(error.field or '', error.field or '')}: {error.message}".lstrip(": ")]
    if hasattr(error, "error_dict"):
        return [
            f"{labels.get(name, name)}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return list(error.messages)


def field_labels(model: type[models.Model]) -> dict[str, str]:
    """Each field's name in the reader's language (the dry run's words)."""
    return {
        f.name: str(f.verbose_name) for f in model._meta.get_fields() if hasattr(f, "verbose_name")
    }


def _diff(instance: Any, values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if getattr(instance, name) != value}


class _Planner:
    """The state of one plan: the directory as kept (read once, in a fixed number of queries,
    for the organisations the file names), and what the file says so far."""

    def __init__(self, rows: list[dict[str, str]]) -> None:
        named = {raw["organisation"].casefold() for raw in rows}
        self.existing = {
            o.name.casefold(): o for o in Organisation.objects.all() if o.name.casefold() in named
        }
        ids = [o.pk for o in self.existing.values()]
        self.kept_services = {
            (s.organisation_id, s.name.casefold()): s
            for s in Service.objects.filter(organisation_id__in=ids)
        }
        emails = {e.lower() for raw in rows for e in SEPARATORS.split(raw["admin_emails"]) if e}
        self.memberships = {
            (m.organisation_id, m.email): m
            for m in Membership.objects.filter(organisation_id__in=ids)
            .annotate(email=Lower("user__email"))
            .filter(email__in=emails)
        }
        self.values: dict[str, dict[str, Any]] = {}  # an organisation's values across its rows
        self.first_rows: dict[str, Row] = {}  # the row creating or first changing it
        self.services: set[tuple[str, str]] = set()
        self.org_labels, self.service_labels = field_labels(Organisation), field_labels(Service)

    def row(self, number: int, raw: dict[str, str]) -> Row:
        name = raw["organisation"]
        row = Row(number=number, organisation=Change("unchanged", label=name))
        if not name:
            row.errors.append(_("The organisation's name is missing."))
            return row
        try:
            values = _organisation_values(raw)
        except ValidationError as error:
            row.errors += _messages(error, self.org_labels)
            return row
        organisation = self.organisation(row, name.casefold(), values)
        self.admins(row, raw, organisation)
        self.service(row, raw, organisation)
        return row

    def organisation(self, row: Row, key: str, values: dict[str, Any]) -> Organisation | None:
        # The same organisation on several rows must say the same thing each time.
        kept = self.values.setdefault(key, {})
        for name, value in values.items():
            if name != "name" and kept.get(name, value) != value:
                row.errors.append(
                    _("%(field)s differs from an earlier row of the same organisation.")
                    % {"field": self.org_labels.get(name, name)}
                )
            kept.setdefault(name, value)
        organisation = self.existing.get(key)
        first = key not in self.first_rows
        if organisation is None:
            # Created by its first row with the values of all its rows (``kept`` fills on),
            # checked once they are all read (``finish``).
            row.organisation = Change("create" if first else "same", kept, label=values["name"])
        else:
            changes = _diff(organisation, {k: v for k, v in values.items() if k != "name"})
            for name, value in changes.items():
                setattr(organisation, name, value)
            if changes:
                self._check(row, organisation)
            action = "update" if changes else ("same" if not first else "unchanged")
            row.organisation = Change(action, changes, label=organisation.name)
        if first and row.organisation.action in ("create", "update"):
            self.first_rows[key] = row
        return organisation

    def admins(self, row: Row, raw: dict[str, str], organisation: Organisation | None) -> None:
        for email in (e for e in SEPARATORS.split(raw["admin_emails"]) if e):
            try:
                validate_email(email)
            except ValidationError:
                row.errors.append(_("“%(email)s” is not an e-mail address.") % {"email": email})
                continue
            membership = (
                self.memberships.get((organisation.pk, email.lower())) if organisation else None
            )
            if membership is None:
                row.invitations.append(email.lower())
            elif not (membership.is_active and membership.role == Role.ADMIN):
                row.promotions.append(email.lower())

    def service(self, row: Row, raw: dict[str, str], organisation: Organisation | None) -> None:
        name = raw["service"]
        if not name:
            return
        key = (raw["organisation"].casefold(), name.casefold())
        if key in self.services:
            row.errors.append(
                _("The service “%(name)s” is on an earlier row too.") % {"name": name}
            )
            return
        self.services.add(key)
        try:
            values = _service_values(raw)
        except (ValidationError, ValidationFailed) as error:
            row.errors += _messages(error, self.service_labels)
            return
        existing = (
            self.kept_services.get((organisation.pk, name.casefold())) if organisation else None
        )
        if existing is None:
            if "category" not in values:
                row.errors.append(_("A new service needs its category."))
            values.setdefault("city", raw["city"] or (organisation.city if organisation else ""))
            candidate = Service(
                organisation=organisation or Organisation(name=raw["organisation"]), **values
            )
            row.service = Change("create", values, label=name)
        else:
            values.pop("name", None)
            changes = _diff(existing, values)
            candidate = existing
            for field_name, value in changes.items():
                setattr(candidate, field_name, value)
            row.service = Change("update" if changes else "unchanged", changes, label=existing.name)
        if candidate.is_public and candidate.location_confidential:
            row.errors.append(_("A service whose location is confidential is never public."))
        exclude = ["organisation"]
        if existing is not None and "opening_hours" not in values:
            exclude.append("opening_hours")  # hours kept from before their syntax stay
        try:
            # The one constraint (never public and confidential) is checked just above,
            # without a query per row.
            candidate.full_clean(exclude=exclude, validate_constraints=False)
        except ValidationError as error:
            row.errors += _messages(error, self.service_labels)

    def _check(self, row: Row, organisation: Organisation) -> None:
        try:
            organisation.full_clean(validate_unique=False)
        except ValidationError as error:
            row.errors += _messages(error, self.org_labels)

    def finish(self) -> None:
        for key, row in self.first_rows.items():
            if row.organisation.action == "create":
                self._check(
                    row, Organisation(**{**self.values[key], "name": row.organisation.label})
                )


def plan(rows: list[dict[str, str]]) -> Plan:
    """What importing ``rows`` would do, and every row's errors; nothing is written."""
    planner = _Planner(rows)
    # Line 1 of the file names the columns.
    result = Plan(rows=[planner.row(number, raw) for number, raw in enumerate(rows, start=2)])
    planner.finish()
    if not rows:
        result.errors.append(_("The file has no rows."))
    return result


# Applying ---------------------------------------------------------------------------------------


@dataclass
class Result:
    organisations_created: int = 0
    organisations_updated: int = 0
    services_created: int = 0
    services_updated: int = 0
    invited: list[str] = field(default_factory=list)


@transaction.atomic
def apply(rows: list[dict[str, str]], *, actor: User | None) -> tuple[Plan, Result]:
    """Plan again (the directory may have changed since the dry run) and write it all, or nothing
    when a row is wrong (``ValidationFailed``). Only a platform admin imports."""
    services._require_platform_admin(actor)
    checked = plan(rows)
    if not checked.valid:
        raise ValidationFailed(
            _("Nothing was imported: correct the rows with an error."), field="file"
        )
    result = Result()
    organisations = {o.name.casefold(): o for o in Organisation.objects.all()}
    for row, raw in zip(checked.rows, rows, strict=True):
        key = raw["organisation"].casefold()
        if row.organisation.action == "create" and key not in organisations:
            fields = {k: v for k, v in row.organisation.fields.items() if k != "name"}
            organisations[key] = services.organisation_create(
                actor=actor, name=raw["organisation"], **fields
            )
            result.organisations_created += 1
        elif row.organisation.action == "update":
            services.organisation_update(
                organisation=organisations[key], actor=actor, **row.organisation.fields
            )
            result.organisations_updated += 1
        organisation = organisations[key]
        if row.service is not None and row.service.action == "create":
            services.service_create(
                organisation=organisation, actor=actor, **_service_fields(row.service.fields)
            )
            result.services_created += 1
        elif row.service is not None and row.service.action == "update":
            service = Service.objects.get(organisation=organisation, name__iexact=row.service.label)
            services.service_update(
                service=service, actor=actor, **_service_fields(row.service.fields)
            )
            result.services_updated += 1
        for email in row.invitations:
            if email not in result.invited:
                services.member_invite(
                    organisation=organisation, email=email, role=Role.ADMIN, actor=actor
                )
                result.invited.append(email)
        for email in row.promotions:
            membership = Membership.objects.get(
                organisation=organisation, user__email__iexact=email
            )
            services.membership_add(
                organisation=organisation, user=membership.user, role=Role.ADMIN, actor=actor
            )
    return checked, result


def _service_fields(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k in services.SERVICE_FIELDS}
