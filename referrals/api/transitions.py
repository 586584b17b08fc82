"""The referral transitions of the API, as one table: each names its body (exactly the fields
it reads, required where its service requires them, so the schema tells the truth) and the
service it calls. The viewset turns every row into ``POST /referrals/{id}/<name>/``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rest_framework import serializers

from config.serializers import (
    StrictChoiceField,
    StrictIntegerField,
    StrictPrimaryKeyRelatedField,
    optional_text,
    required_text,
)
from organisations.models import Organisation
from referrals import services
from referrals.models import DeclineReason, Outcome

TEXT = {"max_length": 5000}


def _text(*, required: bool = False, help_text: str = "") -> serializers.CharField:
    if required:
        return required_text(help_text=help_text, **TEXT)
    return optional_text(help_text=help_text, **TEXT)


class SubmitBody(serializers.Serializer):
    override_justification = _text(
        help_text="A supervisor's reason to share without consent in an emergency (logged)."
    )
    comment = _text()


class ApproveBody(serializers.Serializer):
    note = _text(help_text="The moderator's note to both sides.")
    comment = _text(help_text="Same as `note` (kept for older clients).")


class ReasonBody(serializers.Serializer):
    reason = _text(required=True)


class AcceptBody(serializers.Serializer):
    assignee = StrictIntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="A member of the receiving organisation (a supervisor's choice); default: you.",
    )
    comment = _text()


class DeclineBody(serializers.Serializer):
    reason = StrictChoiceField(choices=DeclineReason.choices)
    note = _text(required=True, help_text="What the sender needs to know.")
    suggested_organisation = StrictPrimaryKeyRelatedField(
        queryset=Organisation.objects.active(),
        required=False,
        allow_null=True,
        help_text="A third organisation the sender could refer to instead.",
    )


class CommentBody(serializers.Serializer):
    comment = _text()


class HoldBody(serializers.Serializer):
    expected_date = serializers.DateField(help_text="When the service expects to take the case.")
    comment = _text()


class CompleteBody(serializers.Serializer):
    outcome = StrictChoiceField(choices=Outcome.choices)
    note = _text(required=True, help_text="What was done.")


class AssignBody(serializers.Serializer):
    assignee = StrictIntegerField(
        min_value=1, help_text="A member of the receiving organisation who takes the referral."
    )


class CommentRequiredBody(serializers.Serializer):
    comment = _text(required=True)


@dataclass(frozen=True)
class Transition:
    body: type[serializers.Serializer]
    call: Callable[..., Any]
    summary: str


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(
        SubmitBody,
        lambda pk, actor, b: services.referral_submit(
            referral_id=pk,
            actor=actor,
            override_justification=b.get("override_justification", ""),
            comment=b.get("comment", ""),
        ),
        "Send a draft to the receiving organisation (or to moderation)",
    ),
    "approve": Transition(
        ApproveBody,
        lambda pk, actor, b: services.referral_approve(
            referral_id=pk, actor=actor, note=b.get("note") or b.get("comment", "")
        ),
        "A moderator lets a referral through",
    ),
    "reject": Transition(
        ReasonBody,
        lambda pk, actor, b: services.referral_reject(
            referral_id=pk, actor=actor, reason=b["reason"]
        ),
        "A moderator stops a referral, with a reason",
    ),
    "accept": Transition(
        AcceptBody,
        lambda pk, actor, b: services.referral_accept(
            referral_id=pk, actor=actor, assignee=b.get("assignee"), comment=b.get("comment", "")
        ),
        "The receiver takes the case (and assigns it)",
    ),
    "decline": Transition(
        DeclineBody,
        lambda pk, actor, b: services.referral_decline(
            referral_id=pk,
            actor=actor,
            reason=b["reason"],
            note=b["note"],
            suggested_organisation=b.get("suggested_organisation"),
        ),
        "The receiver says no, with a coded reason and a note",
    ),
    "start": Transition(
        CommentBody,
        lambda pk, actor, b: services.referral_start(
            referral_id=pk, actor=actor, comment=b.get("comment", "")
        ),
        "Work on an accepted referral begins",
    ),
    "hold": Transition(
        HoldBody,
        lambda pk, actor, b: services.referral_hold(
            referral_id=pk,
            actor=actor,
            expected_date=b["expected_date"],
            comment=b.get("comment", ""),
        ),
        "On a waiting list until a date",
    ),
    "resume": Transition(
        CommentBody,
        lambda pk, actor, b: services.referral_resume(
            referral_id=pk, actor=actor, comment=b.get("comment", "")
        ),
        "Back in progress after a hold",
    ),
    "complete": Transition(
        CompleteBody,
        lambda pk, actor, b: services.referral_complete(
            referral_id=pk, actor=actor, outcome=b["outcome"], note=b["note"]
        ),
        "Record the outcome",
    ),
    "assign": Transition(
        AssignBody,
        lambda pk, actor, b: services.referral_assign(
            referral_id=pk, actor=actor, assignee=b["assignee"]
        ),
        "A supervisor of the receiver hands the referral to another member",
    ),
    "withdraw": Transition(
        ReasonBody,
        lambda pk, actor, b: services.referral_withdraw(
            referral_id=pk, actor=actor, reason=b["reason"]
        ),
        "The sender calls the referral back, with a reason",
    ),
}
