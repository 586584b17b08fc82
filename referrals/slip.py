"""The referral slip: one printed page the person carries to the organisation, in their
language, with the organisation's address, opening hours and what to bring, the case reference
as text and as a QR code, and only the fields the person agreed to share with that organisation
(an on-platform referral's consented snapshot; for one off the platform, the fields they agreed
to have printed). Nothing else about the case is ever on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import segno
from django.conf import settings
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from organisations.models import Organisation, UnlistedOrganisation
from referrals.models import Case, ExternalReferral, Referral
from referrals.services import snapshot


@dataclass
class Slip:
    reference: str
    category: str
    to_name: str
    sender: Any  # the sending organisation
    address: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    opening_hours: str = ""
    what_to_bring: str = ""
    service: str = ""
    shared: dict[str, Any] = field(default_factory=dict)
    made_on: Any = None

    @property
    def qr(self) -> SafeString:
        """The reference as a QR code (inline SVG: no image request, prints sharp)."""
        svg = segno.make(self.reference, error="m").svg_inline(
            scale=4, border=2, title=_("QR code of the case reference")
        )
        # segno writes the SVG from our own reference code: markup it built, nothing typed.
        return mark_safe(svg)  # noqa: S308  # nosec B308 B703


def languages_for(case: Case) -> list[tuple[str, bool]]:
    """The interface's languages, the person's own first: (code, spoken by the person)."""
    spoken = set(case.languages or [])
    offered = [code for code, _name in settings.LANGUAGES]
    return sorted(((code, code in spoken) for code in offered), key=lambda item: not item[1])


def language_for(asked: str = "") -> str:
    """The slip's language: the one asked for (the page links each, the person's first), else
    the page's own."""
    return asked if asked in dict(settings.LANGUAGES) else ""


def _place(where: Organisation | UnlistedOrganisation) -> dict[str, str]:
    """Where to go, as an organisation (on the platform or not) keeps it."""
    postal_code = getattr(where, "postal_code", "")
    return {
        "to_name": where.name,
        "address": " ".join(part for part in (where.address, postal_code) if part),
        "city": where.city,
        "phone": where.phone,
        "email": where.email,
    }


def for_referral(referral: Referral) -> Slip:
    organisation, service = referral.to_organisation, referral.service
    shared = {} if referral.shared_data_revoked_at else dict(referral.shared_data or {})
    shared.pop("reference", None)
    return Slip(
        reference=referral.case.reference,
        category=referral.get_service_category_display(),
        sender=referral.from_organisation,
        **_place(organisation),
        opening_hours=service.opening_hours if service else "",
        what_to_bring=service.what_to_bring if service else "",
        service=service.name if service else "",
        shared=shared,
        made_on=timezone.localdate(referral.submitted_at or referral.created_at),
    )


def for_external(referral: ExternalReferral) -> Slip:
    entry = referral.recipient
    shared = snapshot(referral.case, referral.printed_fields)
    shared.pop("reference", None)
    return Slip(
        reference=referral.case.reference,
        category=referral.get_service_category_display(),
        sender=referral.from_organisation,
        # Once merged, the organisation it became on the platform is where the person goes.
        **_place(entry.merged_into or entry),
        opening_hours=entry.opening_hours,
        shared=shared,
        made_on=timezone.localdate(referral.created_at),
    )
