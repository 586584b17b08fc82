"""Rules every referral service shares: the fields a case holds, who handles cases."""

from __future__ import annotations

from typing import TYPE_CHECKING

from organisations.models import CASE_ROLES  # the services' own name for it, re-exported
from referrals.exceptions import (
    ValidationFailed,
)

if TYPE_CHECKING:
    pass


CASE_FIELDS = (
    "given_name",
    "age_band",
    "birth_year",
    "sex",
    "nationality",
    "nationality_other",
    "languages",
    "vulnerabilities",
    "phone",
    "notes",
)
# Shared under a supervisor's emergency override: what a service needs to act, not the notes.
OVERRIDE_FIELDS = ("given_name", "age_band", "sex", "languages", "vulnerabilities", "phone")
MIN_JUSTIFICATION = 20
__all__ = ["CASE_FIELDS", "CASE_ROLES", "MIN_JUSTIFICATION", "OVERRIDE_FIELDS"]


def _require(condition: bool, message: str, *, field: str) -> None:
    if not condition:
        raise ValidationFailed(message, field=field)
