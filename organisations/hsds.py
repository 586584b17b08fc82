"""The public part of the directory as Open Referral HSDS 3.0 records.

Only public services are exported (``Service.objects.public()``: active, marked public by their
organisation, and never a service whose location is confidential), and only the organisations
offering one. Nothing about people, cases or referrals is ever in a record.

Identifiers are UUIDs, as HSDS asks, derived from the row's key (``uuid5``): stable from one
export to the next, so that a directory kept elsewhere can follow changes.

The fixed category taxonomy maps to **Open Eligibility** (the human-services taxonomy HSDS
publishers use; openeligibility.org), each category to the term that names the same help; the
term is attached to the service as an HSDS ``attribute`` with its ``taxonomy_term``. The capacity
status and the date it was last confirmed travel the same way, under the taxonomy
``relais-capacity``.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.utils import timezone

from organisations import hours, names
from organisations.models import Organisation, Service, ServiceCategory

NAMESPACE = uuid.UUID("9a7c1f5e-6b1d-4b43-9d8e-2f3c5a7e0b11")
TAXONOMY = "Open Eligibility"
CAPACITY_TAXONOMY = "relais-capacity"

# category -> (Open Eligibility term, its place in the taxonomy)
OPEN_ELIGIBILITY: dict[str, tuple[str, str]] = {
    ServiceCategory.EMERGENCY_SHELTER: ("Emergency Shelter", "Housing > Emergency Shelter"),
    ServiceCategory.FOOD: ("Food", "Food"),
    ServiceCategory.HEALTH: ("Health", "Health"),
    ServiceCategory.PSYCHOSOCIAL: ("Counseling", "Health > Mental Care > Counseling"),
    ServiceCategory.LEGAL_AID: ("Legal", "Legal"),
    ServiceCategory.DOCUMENTATION: (
        "Citizenship & Immigration",
        "Legal > Advocacy & Legal Aid > Citizenship & Immigration",
    ),
    ServiceCategory.EDUCATION: ("Education", "Education"),
    ServiceCategory.EMPLOYMENT: ("Work", "Work"),
    ServiceCategory.CHILD_PROTECTION: ("Protective Services", "Care > Protective Services"),
    ServiceCategory.GBV_RESPONSE: ("Domestic Violence", "Emergency > Safety > Domestic Violence"),
    ServiceCategory.OTHER: ("Care", "Care"),
}


def hsds_id(kind: str, key: object) -> str:
    return str(uuid.uuid5(NAMESPACE, f"relais:{kind}:{key}"))


def _stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _set(record: dict[str, Any], **values: Any) -> dict[str, Any]:
    """Only the values given: HSDS fields are typed strings, never null."""
    record.update({key: value for key, value in values.items() if value not in (None, "")})
    return record


def taxonomy_term(category: str) -> dict[str, Any]:
    name, path = OPEN_ELIGIBILITY.get(category, OPEN_ELIGIBILITY[ServiceCategory.OTHER])
    return {
        "id": hsds_id("term", category),
        "code": category,
        "name": name,
        "description": path,
        "taxonomy": TAXONOMY,
    }


def _location(organisation: Organisation) -> dict[str, Any] | None:
    """The organisation's place. HSDS's tabular form requires a postal code and a region in an
    address: an address without them travels as the location's description instead."""
    if not organisation.address:
        return None
    location_id = hsds_id("location", organisation.pk)
    location = {"id": location_id, "location_type": "physical", "name": organisation.name}
    if not (organisation.postal_code and organisation.region):
        return {**location, "description": f"{organisation.address}, {organisation.city}"}
    location["addresses"] = [
        {
            "id": hsds_id("address", organisation.pk),
            "location_id": location_id,
            "address_1": organisation.address,
            "city": organisation.city,
            "state_province": organisation.region,
            "postal_code": organisation.postal_code,
            "country": settings.DIRECTORY_COUNTRY,
            "address_type": "physical",
        }
    ]
    return location


def _phones(organisation: Organisation, **link: str) -> list[dict[str, Any]]:
    if not organisation.phone:
        return []
    return [
        {
            "id": hsds_id("phone", f"{organisation.pk}:{sorted(link.items())}"),
            "number": organisation.phone,
            **link,
        }
    ]


def organization(organisation: Organisation, *, full: bool = False) -> dict[str, Any]:
    record = _set(
        {
            "id": hsds_id("organization", organisation.pk),
            "name": organisation.name,
            "description": organisation.description or organisation.name,
        },
        email=organisation.email,
        website=organisation.website,
    )
    if full:
        organization_id = record["id"]
        record["phones"] = _phones(organisation, organization_id=organization_id)
        location = _location(organisation)
        record["locations"] = [{**location, "organization_id": organization_id}] if location else []
    return record


def service(item: Service, *, full: bool = False) -> dict[str, Any]:
    organisation = item.organisation
    service_id = hsds_id("service", item.pk)
    record = _set(
        {
            "id": service_id,
            "organization_id": hsds_id("organization", organisation.pk),
            "name": item.name,
            "status": "active",
            "last_modified": _stamp(item.updated_at),
            "organization": organization(organisation),
        },
        description=item.description,
        eligibility_description=item.eligibility,
        assured_date=item.capacity_confirmed_at.date().isoformat(),
    )
    if not full:
        return record
    record["languages"] = [
        {
            "id": hsds_id("language", f"{item.pk}:{code}"),
            "service_id": service_id,
            "code": code,
            "name": names.language_name(code),
        }
        for code in item.languages or []
    ]
    record["service_areas"] = [
        _set(
            {"id": hsds_id("service_area", item.pk), "service_id": service_id},
            name=item.area_served or item.city,
            description=item.city,
        )
    ]
    record["schedules"] = _schedules(item, service_id)
    record["required_documents"] = [
        {
            "id": hsds_id("required_document", f"{item.pk}:{n}"),
            "service_id": service_id,
            "document": line,
        }
        for n, line in enumerate(_lines(item.what_to_bring))
    ]
    record["phones"] = _phones(organisation, service_id=service_id)
    location = _location(organisation)
    record["service_at_locations"] = (
        [
            {
                "id": hsds_id("service_at_location", item.pk),
                "service_id": service_id,
                "location_id": location["id"],
                "location": location,
            }
        ]
        if location
        else []
    )
    term = taxonomy_term(item.category)
    record["attributes"] = [
        {
            "id": hsds_id("attribute", f"{item.pk}:category"),
            "link_id": service_id,
            "link_type": "service",
            "link_entity": "service",
            "taxonomy_term_id": term["id"],
            "taxonomy_term": term,
            "value": item.category,
        },
        {
            "id": hsds_id("attribute", f"{item.pk}:capacity"),
            "link_id": service_id,
            "link_type": "service",
            "link_entity": "service",
            "taxonomy_term_id": hsds_id("term", f"capacity:{item.capacity_status}"),
            "taxonomy_term": {
                "id": hsds_id("term", f"capacity:{item.capacity_status}"),
                "code": item.capacity_status,
                "name": str(item.get_capacity_status_display()),
                "description": "Capacity as last confirmed (the value is when).",
                "taxonomy": CAPACITY_TAXONOMY,
            },
            "value": _stamp(item.capacity_confirmed_at),
        },
    ]
    return record


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _schedules(item: Service, service_id: str) -> list[dict[str, Any]]:
    """The weekly ranges of the hours as iCal-like rows (one per range shared by some days), each
    carrying the rule as written; hours that are not in the syntax travel as a description."""
    if not item.opening_hours:
        return []
    pattern = hours.weekly_pattern(item.opening_hours)
    if not pattern:
        return [
            {
                "id": hsds_id("schedule", item.pk),
                "service_id": service_id,
                "description": item.opening_hours,
            }
        ]
    # HSDS asks for the times' offset from UTC (the directory's time zone, this week).
    offset = timezone.localtime().isoformat()[-6:]
    return [
        {
            "id": hsds_id("schedule", f"{item.pk}:{n}"),
            "service_id": service_id,
            "freq": "WEEKLY",
            "wkst": "MO",
            "byday": ",".join(days),
            "opens_at": f"{opens:%H:%M}{offset}",
            "closes_at": f"{closes:%H:%M}{offset}",
            "description": item.opening_hours,
        }
        for n, (days, opens, closes) in enumerate(pattern)
    ]


def page(contents: list[dict[str, Any]], *, total: int, number: int, size: int) -> dict[str, Any]:
    """A page as the HSDS API profile shapes it (``Page``)."""
    pages = max(1, -(-total // size)) if size else 1
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": number,
        "size": len(contents),
        "first_page": number == 1,
        "last_page": number >= pages,
        "empty": total == 0,
        "contents": contents,
    }
