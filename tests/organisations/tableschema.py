"""A Frictionless Table Schema check of a tabular data package, for the tests: every resource's
CSV has the schema's fields in order, every value its type, format and constraints, every
primary key is unique and every foreign key finds its row (a reference to a resource the package
does not hold must be empty)."""

from __future__ import annotations

import csv
import datetime
import io
import json
import uuid
import zipfile
from decimal import Decimal, InvalidOperation


def _typed(field: dict, value: str) -> str | None:
    """What is wrong with ``value`` for ``field``, or None."""
    kind, fmt = field.get("type", "string"), field.get("format", "default")
    try:
        if kind == "string" and fmt == "uuid":
            uuid.UUID(value)
        elif kind == "string" and fmt == "email" and "@" not in value:
            return "not an e-mail address"
        elif kind == "string" and fmt == "uri" and ":" not in value:
            return "not a URI"
        elif kind == "number":
            Decimal(value)
        elif kind == "integer":
            int(value)
        elif kind == "date":
            datetime.date.fromisoformat(value)
        elif kind == "datetime":
            datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        elif kind == "time":
            datetime.time.fromisoformat(value)
        elif kind == "boolean" and value not in ("true", "false", "True", "False", "1", "0"):
            return "not a boolean"
    except (ValueError, InvalidOperation):
        return f"not a {kind} ({fmt})"
    enum = field.get("constraints", {}).get("enum")
    if enum and value not in enum:
        return f"not one of {enum}"
    return None


def _column(path: str, field: dict, values: list[str]) -> list[str]:
    found, constraints = [], field.get("constraints", {})
    for number, value in enumerate(values, start=2):
        where = f"{path} line {number} {field['name']}"
        if value == "":
            if constraints.get("required"):
                found.append(f"{where}: required")
            continue
        wrong = _typed(field, value)
        if wrong:
            found.append(f"{where}: {value!r} {wrong}")
    filled = [v for v in values if v != ""]
    if constraints.get("unique") and len(filled) != len(set(filled)):
        found.append(f"{path} {field['name']}: not unique")
    return found


def problems(package: bytes) -> list[str]:
    found: list[str] = []
    archive = zipfile.ZipFile(io.BytesIO(package))
    descriptor = json.loads(archive.read("datapackage.json"))
    tables = {}
    for resource in descriptor["resources"]:
        text = archive.read(resource["path"]).decode("utf-8")
        reader = csv.DictReader(io.StringIO(text))
        fields = resource["schema"]["fields"]
        if reader.fieldnames != [f["name"] for f in fields]:
            found.append(f"{resource['path']}: header {reader.fieldnames}")
        rows = list(reader)
        tables[resource["name"]] = rows
        for field in fields:
            found += _column(resource["path"], field, [row[field["name"]] for row in rows])
        key = resource["schema"].get("primaryKey")
        if key and len({row[key] for row in rows}) != len(rows):
            found.append(f"{resource['path']}: primary key {key} not unique")
    for resource in descriptor["resources"]:
        for foreign in resource["schema"].get("foreignKeys", []):
            target = foreign["reference"]["resource"]
            keys = {row[foreign["reference"]["fields"]] for row in tables.get(target, [])}
            for row in tables[resource["name"]]:
                value = row[foreign["fields"]]
                if value and value not in keys:
                    found.append(f"{resource['path']} {foreign['fields']}: {value} not in {target}")
    return found
