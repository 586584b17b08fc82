"""The public directory as the HSDS 3.0 **tabular data package**: one CSV file per table
(organizations, services, locations, addresses, phones, schedules, service areas, languages,
required documents, attributes, taxonomy terms, services at locations) and ``datapackage.json``,
the specification's own descriptor restricted to those tables, in one zip file.

The rows are the JSON records of ``organisations.hsds`` flattened: an array of a record becomes
rows of its table, a nested object (a location, a taxonomy term) a row of its own table, once.
So the JSON and the tabular exports cannot say different things.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import timezone

from organisations import hsds
from organisations.models import Organisation, Service

DESCRIPTOR = Path(__file__).resolve().parent / "hsds_schema" / "datapackage.json"

# The key of an array (or nested object) in a JSON record -> the resource it is a row of.
NESTED = {
    "phones": "phone",
    "schedules": "schedule",
    "service_areas": "service_area",
    "languages": "language",
    "required_documents": "required_document",
    "attributes": "attribute",
    "service_at_locations": "service_at_location",
    "locations": "location",
    "addresses": "address",
    "location": "location",
    "taxonomy_term": "taxonomy_term",
    "organization": "organization",
}
# In the order a reader loads them: what a row refers to comes first.
RESOURCES = (
    "organization",
    "location",
    "address",
    "service",
    "service_at_location",
    "phone",
    "schedule",
    "service_area",
    "language",
    "required_document",
    "taxonomy_term",
    "attribute",
)


@cache
def descriptor() -> dict[str, Any]:
    return json.loads(DESCRIPTOR.read_text())


def resource(name: str) -> dict[str, Any]:
    return next(r for r in descriptor()["resources"] if r["name"] == name)


def _collect(record: dict[str, Any], table: str, tables: dict[str, dict[str, dict]]) -> None:
    """``record`` as a row of ``table`` (its scalars) and its arrays and objects as rows of
    theirs; a row seen once already (same id) is kept once."""
    row = {}
    for key, value in record.items():
        if isinstance(value, list):
            for item in value:
                _collect(item, NESTED[key], tables)
        elif isinstance(value, dict):
            # A summary of a row written in full elsewhere (a service's organization) only links.
            if key != "organization":
                _collect(value, NESTED[key], tables)
        else:
            row[key] = value
    rows = tables.setdefault(table, {})
    rows[row["id"]] = {**rows.get(row["id"], {}), **row}


def tables(services: list[Service], organisations: list[Organisation]) -> dict[str, list[dict]]:
    collected: dict[str, dict[str, dict]] = {}
    for organisation in organisations:
        _collect(hsds.organization(organisation, full=True), "organization", collected)
    for service in services:
        _collect(hsds.service(service, full=True), "service", collected)
    return {name: list(collected.get(name, {}).values()) for name in RESOURCES}


def _csv(name: str, rows: list[dict]) -> bytes:
    fields = [field["name"] for field in resource(name)["schema"]["fields"]]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def datapackage(services: list[Service], organisations: list[Organisation]) -> bytes:
    """The zip file: ``datapackage.json`` and one CSV per resource, UTF-8."""
    rows = tables(services, organisations)
    official = descriptor()
    package = {
        "name": "relais-directory",
        "title": "Relais: the public service directory",
        "profile": official["profile"],
        "version": official["version"],
        "created": timezone.now().isoformat(timespec="seconds"),
        "sources": [
            {"title": "Human Services Data Specification 3.0", "path": official["homepage"]}
        ],
        "resources": [resource(name) for name in RESOURCES],
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(package, indent=2, ensure_ascii=False))
        for name in RESOURCES:
            archive.writestr(resource(name)["path"], _csv(name, rows[name]))
    return out.getvalue()
