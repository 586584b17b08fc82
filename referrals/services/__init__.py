"""Every change to cases, consents and referrals.

Each referral service locks the row, checks visibility (404), the state (409) and the actor's
permission (403), fires the django-fsm transition, saves, and records the event in the same
transaction. Views, the API, the admin and Celery tasks all call these functions, imported from
here: ``cases``, ``consent``, ``creation`` (drafts, refer onwards), ``transitions`` (the state
machine) and ``sweeps`` (deadlines, expiry, retention).
"""

from referrals.services.cases import (
    access_record,
    case_create,
    case_update,
    outbox_seen,
)
from referrals.services.common import (
    CASE_FIELDS,
    CASE_ROLES,
    MIN_JUSTIFICATION,
    OVERRIDE_FIELDS,
)
from referrals.services.consent import (
    consent_record,
    consent_withdraw,
)
from referrals.services.creation import (
    referral_create,
    referral_discard,
    referral_refer_onwards,
    referral_send,
    referral_update_draft,
)
from referrals.services.external import (
    external_referral_create,
    external_referral_report,
)
from referrals.services.sweeps import (
    referral_deadline_step,
    referral_end_retention,
    referral_expire,
)
from referrals.services.transitions import (
    referral_accept,
    referral_approve,
    referral_assign,
    referral_comment,
    referral_complete,
    referral_decline,
    referral_hold,
    referral_open,
    referral_reject,
    referral_resume,
    referral_start,
    referral_submit,
    referral_withdraw,
    referral_withdraw_for_erasure,
    snapshot,
)

__all__ = [
    "CASE_FIELDS",
    "CASE_ROLES",
    "MIN_JUSTIFICATION",
    "OVERRIDE_FIELDS",
    "access_record",
    "case_create",
    "case_update",
    "consent_record",
    "consent_withdraw",
    "external_referral_create",
    "external_referral_report",
    "outbox_seen",
    "referral_accept",
    "referral_approve",
    "referral_assign",
    "referral_comment",
    "referral_complete",
    "referral_create",
    "referral_deadline_step",
    "referral_decline",
    "referral_discard",
    "referral_end_retention",
    "referral_expire",
    "referral_hold",
    "referral_open",
    "referral_refer_onwards",
    "referral_reject",
    "referral_resume",
    "referral_send",
    "referral_start",
    "referral_submit",
    "referral_update_draft",
    "referral_withdraw",
    "referral_withdraw_for_erasure",
    "snapshot",
]
