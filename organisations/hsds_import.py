"""An HSDS 3.0 tabular data package (a zip of CSV files and ``datapackage.json``, as
``hsds_tabular`` writes it or another directory publishes it) read as onboarding rows: one per
service, the organisation's columns beside it, then ``onboarding.plan`` and ``apply`` as for a
spreadsheet.

What HSDS says and the directory keeps: an organisation's name, description, e-mail, website,
first phone and its location's address (street, postal code, region, city); a service's name,
description, eligibility, languages, service area, opening hours (the schedule's description when
it is a rule in the OpenStreetMap syntax, else its weekly rows), required documents (what to
bring) and category (an attribute whose term is one of ours or the Open Eligibility term mapped
to it, ``other`` otherwise). HSDS has no kind of organisation: a new one is ``other`` until its
admin says. Published directory data, its services are marked public; nothing in it is a
confidential place.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict

from django.utils.translation import gettext as _

from organisations import hours
from organisations.hsds import CAPACITY_TAXONOMY, OPEN_ELIGIBILITY
from organisations.models import OrganisationKind, ServiceCategory
from organisations.onboarding import COLUMNS, MAX_ROWS, UnreadableFile

MAX_BYTES = 50 * 1024 * 1024  # uncompressed, all files together


def _tables(content: bytes) -> dict[str, list[dict[str, str]]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        if sum(info.file_size for info in archive.infolist()) > MAX_BYTES:
            raise UnreadableFile(_("The data package is too large."), field="file")
        descriptor = json.loads(archive.read("datapackage.json"))
        names = set(archive.namelist())
        return {
            resource["name"]: list(
                csv.DictReader(io.StringIO(archive.read(resource["path"]).decode("utf-8-sig")))
            )
            for resource in descriptor.get("resources", [])
            if resource.get("path") in names
        }
    except (zipfile.BadZipFile, KeyError, ValueError, UnicodeDecodeError, TypeError) as error:
        raise UnreadableFile(
            _("The file is not an HSDS data package (a zip with datapackage.json): %(error)s")
            % {"error": error},
            field="file",
        ) from None


def _by(rows: list[dict[str, str]], key: str) -> dict[str, list[dict[str, str]]]:
    grouped = defaultdict(list)
    for row in rows:
        grouped[row.get(key, "")].append(row)
    return grouped


def _category(attributes: list[dict[str, str]], terms: dict[str, dict[str, str]]) -> str:
    open_eligibility = {name.casefold(): code for code, (name, _path) in OPEN_ELIGIBILITY.items()}
    for attribute in attributes:
        term = terms.get(attribute.get("taxonomy_term_id", ""), {})
        if term.get("taxonomy") == CAPACITY_TAXONOMY:
            continue
        for candidate in (term.get("code", ""), attribute.get("value", "")):
            if candidate in ServiceCategory.values:
                return candidate
        if term.get("name", "").casefold() in open_eligibility:
            return open_eligibility[term["name"].casefold()]
    return ServiceCategory.OTHER


def _capacity(attributes: list[dict[str, str]], terms: dict[str, dict[str, str]]) -> str:
    for attribute in attributes:
        term = terms.get(attribute.get("taxonomy_term_id", ""), {})
        if term.get("taxonomy") == CAPACITY_TAXONOMY:
            return term.get("code", "")
    return ""


def _area(areas: list[dict[str, str]]) -> str:
    """The area served; an area named after its city (``description``) is the whole city."""
    for area in areas:
        if area.get("name") and area["name"] != area.get("description"):
            return area["name"]
    return ""


def _opening_hours(schedules: list[dict[str, str]]) -> str:
    """The rule as written when a schedule carries one; else the weekly rows as a rule."""
    for schedule in schedules:
        if hours.parse(schedule.get("description", "")) is not None:
            return schedule["description"]
    parts = []
    for schedule in schedules:
        days = [day.strip().title() for day in schedule.get("byday", "").split(",") if day.strip()]
        opens, closes = schedule.get("opens_at", "")[:5], schedule.get("closes_at", "")[:5]
        if schedule.get("freq", "WEEKLY").upper() == "WEEKLY" and days and opens and closes:
            parts.append(f"{','.join(days)} {opens}-{closes}")
    rule = "; ".join(parts)
    if rule and hours.parse(rule) is not None:
        return rule
    return next((s["description"] for s in schedules if s.get("description")), "")[:200]


def read_datapackage(content: bytes) -> list[dict[str, str]]:
    tables = _tables(content)
    if "organization" not in tables or "service" not in tables:
        raise UnreadableFile(
            _("The data package has no organizations or no services table."), field="file"
        )
    addresses = _by(tables.get("address", []), "location_id")
    locations = {row["id"]: row for row in tables.get("location", [])}
    org_locations = _by(tables.get("location", []), "organization_id")
    phones = _by(tables.get("phone", []), "organization_id")
    at_locations = _by(tables.get("service_at_location", []), "service_id")
    schedules = _by(tables.get("schedule", []), "service_id")
    areas = _by(tables.get("service_area", []), "service_id")
    languages = _by(tables.get("language", []), "service_id")
    documents = _by(tables.get("required_document", []), "service_id")
    attributes = _by(tables.get("attribute", []), "link_id")
    terms = {row["id"]: row for row in tables.get("taxonomy_term", [])}
    services = _by(tables["service"], "organization_id")

    def place(organisation_id: str, service_id: str = "") -> dict[str, str]:
        chosen = [
            locations[r["location_id"]]
            for r in at_locations.get(service_id, [])
            if r.get("location_id") in locations
        ]
        for location in chosen + org_locations.get(organisation_id, []):
            address = next(iter(addresses.get(location["id"], [])), None)
            if address:
                street = ", ".join(
                    p for p in (address.get("address_1"), address.get("address_2")) if p
                )
                return {
                    "address": street,
                    "postal_code": address.get("postal_code", ""),
                    "region": address.get("state_province", ""),
                    "city": address.get("city", ""),
                }
            if location.get("description"):
                return {"address": location["description"]}
        return {}

    rows = []
    for organisation in tables["organization"]:
        base = dict.fromkeys(COLUMNS, "")
        base.update(
            organisation=organisation.get("name", ""),
            kind=OrganisationKind.OTHER,
            # HSDS requires a description: one that only repeats the name says nothing.
            description=""
            if organisation.get("description") == organisation.get("name")
            else organisation.get("description", ""),
            email=organisation.get("email", ""),
            website=organisation.get("website", ""),
            phone=next(
                (p["number"] for p in phones.get(organisation["id"], []) if p.get("number")), ""
            ),
            **place(organisation["id"]),
        )
        offered = [
            s for s in services.get(organisation["id"], []) if s.get("status", "active") == "active"
        ]
        if not offered:
            rows.append(base)
        for service in offered:
            sid = service["id"]
            rows.append(
                {
                    **base,
                    **{
                        k: v
                        for k, v in place(organisation["id"], sid).items()
                        if k == "city" and not base["city"]
                    },
                    "service": service.get("name", ""),
                    "category": _category(attributes.get(sid, []), terms),
                    "service_description": service.get("description", ""),
                    "eligibility": service.get("eligibility_description", ""),
                    "languages": " ".join(
                        row["code"] for row in languages.get(sid, []) if row.get("code")
                    ),
                    "area": _area(areas.get(sid, [])),
                    "opening_hours": _opening_hours(schedules.get(sid, [])),
                    "what_to_bring": "\n".join(
                        d["document"] for d in documents.get(sid, []) if d.get("document")
                    ),
                    "capacity": _capacity(attributes.get(sid, []), terms),
                    "public": "yes",
                    "confidential_location": "no",
                }
            )
    if len(rows) > MAX_ROWS:
        raise UnreadableFile(
            _("At most %(count)s rows at a time.") % {"count": MAX_ROWS}, field="file"
        )
    return rows
