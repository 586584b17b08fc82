"""Random walks through the referral services with random actors from the world.

Whatever happens, the state is a known one, the event log tells the same story as the state,
outsiders never see the referral, the receiver sees it only once it has been submitted, and a
withdrawn referral leaves the receiver without the personal data. Expected refusals (typed
service errors) are fine; any other exception fails the test.

Each action has a rule enabled in the states where it can succeed (so that walks get far) and
``anything`` fires any action with anyone in any state (so that refusals are walked too).
"""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from config.errors import Conflict, NotAllowed, NotVisible, ValidationFailed
from referrals import permissions, services
from referrals.exceptions import InvalidTransition
from referrals.models import (
    AWAITING_ANSWER,
    CLOSED_STATES,
    IN_CARE,
    OPEN_STATES,
    Referral,
    ReferralEvent,
    State,
)

EXPECTED = (InvalidTransition, Conflict, NotAllowed, NotVisible, ValidationFailed)

ACTORS = [
    "sender_worker",
    "sender_supervisor",
    "sender_admin",
    "receiver_worker",
    "receiver_worker2",
    "receiver_supervisor",
    "third_worker",
    "coordinator",
    "former",
    "unverified_worker",
]
RECEIVERS = ("receiver_worker", "receiver_worker2", "receiver_supervisor")
OUTSIDERS = ("third_worker", "former", "sender_admin")

# Mostly the people who may act, sometimes anyone. "sender" stands for one of the people of
# the sending organisation of the example's referral.
ANYONE = st.sampled_from(ACTORS)
SENDER_SIDE = st.one_of(st.just("sender"), ANYONE)
RECEIVER_SIDE = st.one_of(st.sampled_from(RECEIVERS), ANYONE)
MODERATOR = st.one_of(st.just("coordinator"), ANYONE)

JUSTIFICATIONS = st.sampled_from(["", "short", "A child alone at the port tonight, no time"])
REASONS = st.sampled_from(["Found another place", "", "   "])
DECLINE_REASONS = st.sampled_from(["no_capacity", "other", "bogus", ""])
NOTES = st.sampled_from(["Explained on the phone", ""])
OUTCOMES = st.sampled_from(["provided", "not_provided", "provided", "bogus", ""])
DAYS = st.sampled_from([5, 0, None, -1])
ASSIGNEES = st.sampled_from([None, "receiver_worker2", "third_worker", "sender_worker"])

ACTIONS = [
    "submit",
    "approve",
    "reject",
    "open",
    "accept",
    "decline",
    "start",
    "hold",
    "resume",
    "complete",
    "withdraw",
    "comment",
    "withdraw_consent",
    "record_consent",
]


def run_machine(world) -> None:
    class ReferralMachine(RuleBasedStateMachine):
        """One referral per example, between the sender (or the unverified organisation, which
        goes through moderation) and the receiver."""

        @initialize(
            origin=st.sampled_from(["sender", "unverified"]),
            consented=st.sampled_from([True, True, True, False]),
            urgency=st.sampled_from(["emergency", "high", "normal"]),
        )
        def create(self, origin, consented, urgency):
            self.senders = (
                ("sender_worker", "sender_supervisor")
                if origin == "sender"
                else ("unverified_worker",)
            )
            owner = getattr(world, self.senders[0])
            self.case = world.case(actor=owner, consent_to=(world.receiver,) if consented else ())
            self.referral_id = world.draft(case=self.case, actor=owner, urgency=urgency).pk
            self.state = State.DRAFT

        # Helpers -----------------------------------------------------------------------------

        def fetch(self) -> Referral:
            return Referral.objects.select_related("from_organisation", "to_organisation").get(
                pk=self.referral_id
            )

        def user(self, name):
            return getattr(world, name)

        def who(self, actor, data):
            return data.draw(st.sampled_from(self.senders)) if actor == "sender" else actor

        def attempt(self, action, actor, call, *, may):
            """Run one service call; a success must come from someone who may do it."""
            before = self.fetch()
            try:
                call()
            except EXPECTED:
                assert self.fetch().state == before.state, f"{action} failed but moved the state"
                return None
            assert actor in may, f"{actor} succeeded at {action} from {before.state}"
            return before

        # Actions: each checks what a success implies ----------------------------------------

        def do_submit(self, actor, data):
            justification = data.draw(JUSTIFICATIONS)
            self.attempt(
                "submit",
                actor,
                lambda: services.referral_submit(
                    referral_id=self.referral_id,
                    actor=self.user(actor),
                    override_justification=justification,
                ),
                may=self.senders,
            )

        def do_approve(self, actor, data):
            self.attempt(
                "approve",
                actor,
                lambda: services.referral_approve(
                    referral_id=self.referral_id, actor=self.user(actor)
                ),
                may=("coordinator",),
            )

        def do_reject(self, actor, data):
            reason = data.draw(REASONS)
            if self.attempt(
                "reject",
                actor,
                lambda: services.referral_reject(
                    referral_id=self.referral_id, actor=self.user(actor), reason=reason
                ),
                may=("coordinator",),
            ):
                assert reason.strip()

        def do_open(self, actor, data):
            self.attempt(
                "open",
                actor,
                lambda: services.referral_open(
                    referral_id=self.referral_id, actor=self.user(actor)
                ),
                may=(*self.senders, *RECEIVERS, "coordinator"),
            )

        def do_accept(self, actor, data):
            assignee = data.draw(ASSIGNEES)
            if self.attempt(
                "accept",
                actor,
                lambda: services.referral_accept(
                    referral_id=self.referral_id,
                    actor=self.user(actor),
                    assignee=self.user(assignee) if assignee else None,
                ),
                may=RECEIVERS,
            ):
                assert self.fetch().assignee == self.user(assignee or actor)
                if assignee not in (None, actor):
                    assert (actor, assignee) == ("receiver_supervisor", "receiver_worker2")

        def do_decline(self, actor, data):
            reason, note, suggest = data.draw(DECLINE_REASONS), data.draw(NOTES), data.draw(ANYONE)
            if self.attempt(
                "decline",
                actor,
                lambda: services.referral_decline(
                    referral_id=self.referral_id,
                    actor=self.user(actor),
                    reason=reason,
                    note=note,
                    suggested_organisation=world.third if suggest == "third_worker" else None,
                ),
                may=RECEIVERS,
            ):
                assert reason in ("no_capacity", "other")
                assert note

        def _in_care(self, action, actor, call):
            before = self.attempt(action, actor, call, may=RECEIVERS)
            if before is not None:
                # The assignee or a supervisor of the receiving organisation, nobody else.
                assert actor == "receiver_supervisor" or before.assignee_id == self.user(actor).pk
            return before

        def do_start(self, actor, data):
            self._in_care(
                "start",
                actor,
                lambda: services.referral_start(
                    referral_id=self.referral_id, actor=self.user(actor)
                ),
            )

        def do_hold(self, actor, data):
            days = data.draw(DAYS)
            date = None if days is None else timezone.localdate() + datetime.timedelta(days=days)
            if self._in_care(
                "hold",
                actor,
                lambda: services.referral_hold(
                    referral_id=self.referral_id, actor=self.user(actor), expected_date=date
                ),
            ):
                assert date is not None
                assert date >= timezone.localdate()

        def do_resume(self, actor, data):
            self._in_care(
                "resume",
                actor,
                lambda: services.referral_resume(
                    referral_id=self.referral_id, actor=self.user(actor)
                ),
            )

        def do_complete(self, actor, data):
            outcome, note = data.draw(OUTCOMES), data.draw(NOTES)
            if self._in_care(
                "complete",
                actor,
                lambda: services.referral_complete(
                    referral_id=self.referral_id, actor=self.user(actor), outcome=outcome, note=note
                ),
            ):
                assert outcome in ("provided", "not_provided")
                assert note

        def do_withdraw(self, actor, data):
            reason = data.draw(REASONS)
            if self.attempt(
                "withdraw",
                actor,
                lambda: services.referral_withdraw(
                    referral_id=self.referral_id, actor=self.user(actor), reason=reason
                ),
                may=self.senders,
            ):
                assert reason.strip()

        def do_comment(self, actor, data):
            text = data.draw(st.sampled_from(["Any news?", ""]))
            self.attempt(
                "comment",
                actor,
                lambda: services.referral_comment(
                    referral_id=self.referral_id, actor=self.user(actor), text=text
                ),
                may=(*self.senders, *RECEIVERS),
            )

        def do_withdraw_consent(self, actor, data):
            consent = self.case.consents.order_by("-pk").first()
            if consent is not None:
                self.attempt(
                    "withdraw consent",
                    actor,
                    lambda: services.consent_withdraw(consent=consent, actor=self.user(actor)),
                    may=self.senders,
                )

        def do_record_consent(self, actor, data):
            self.attempt(
                "record consent",
                actor,
                lambda: services.consent_record(
                    case=self.case,
                    actor=self.user(actor),
                    recipient=world.receiver,
                    fields=["given_name", "sex"],
                ),
                may=self.senders,
            )

        # Rules -------------------------------------------------------------------------------

        @rule(action=st.sampled_from(ACTIONS), actor=ANYONE, data=st.data())
        def anything(self, action, actor, data):
            getattr(self, f"do_{action}")(actor, data)

        @precondition(lambda self: self.state == State.DRAFT)
        @rule(
            action=st.sampled_from(["submit", "submit", "record_consent"]),
            actor=SENDER_SIDE,
            data=st.data(),
        )
        def prepare(self, action, actor, data):
            getattr(self, f"do_{action}")(self.who(actor, data), data)

        @precondition(lambda self: self.state == State.PENDING_MODERATION)
        @rule(actor=MODERATOR, approve=st.sampled_from([True, True, False]), data=st.data())
        def moderate(self, actor, approve, data):
            (self.do_approve if approve else self.do_reject)(actor, data)

        @precondition(lambda self: self.state in AWAITING_ANSWER)
        @rule(
            action=st.sampled_from(["accept", "open", "accept", "decline", "expire"]),
            actor=RECEIVER_SIDE,
            data=st.data(),
        )
        def answer(self, action, actor, data):
            if action == "expire":
                # The system, at twice the deadline.
                assert services.referral_expire(referral_id=self.referral_id) is not None
            else:
                getattr(self, f"do_{action}")(actor, data)

        @precondition(lambda self: self.state in IN_CARE)
        @rule(
            action=st.sampled_from(["start", "hold", "resume", "complete"]),
            actor=RECEIVER_SIDE,
            data=st.data(),
        )
        def care(self, action, actor, data):
            getattr(self, f"do_{action}")(actor, data)

        @precondition(lambda self: self.state in OPEN_STATES and self.state != State.DRAFT)
        @rule(
            action=st.sampled_from(["comment", "withdraw", "comment", "withdraw_consent"]),
            actor=SENDER_SIDE,
            data=st.data(),
        )
        def sender_acts(self, action, actor, data):
            getattr(self, f"do_{action}")(self.who(actor, data), data)

        @precondition(lambda self: self.state in CLOSED_STATES)
        @rule()
        def end_retention(self):
            services.referral_end_retention(referral_id=self.referral_id)

        # Invariants: one, reading the referral once, after every step -------------------------

        @invariant()
        def invariants_hold(self):
            referral = self.fetch()
            self.state = referral.state
            assert referral.state in State.values

            # The event log tells the same story as the state.
            chain = list(
                ReferralEvent.objects.filter(referral=referral)
                .exclude(to_state="")
                .order_by("id")
                .values_list("from_state", "to_state")
            )
            assert chain[0] == ("", State.DRAFT)
            for (_, previous), (source, _) in itertools.pairwise(chain):
                assert source == previous, chain
            assert chain[-1][1] == referral.state, chain

            # Outsiders never see it; the coordinator only through moderation, never as a party.
            for name in OUTSIDERS:
                user = self.user(name)
                assert not permissions.can_view_referral(user, referral)
                assert not permissions.can_view_shared_data(user, referral)
            for name in ("third_worker", "former"):
                visible = permissions.referral_list_visible(self.user(name))
                assert not visible.filter(pk=referral.pk).exists()
            assert not permissions.can_view_referral(world.coordinator, referral)

            # The receiver sees it once it has been submitted (or approved), not before.
            submitted = any(target == State.SUBMITTED for _, target in chain)
            for name in RECEIVERS:
                assert permissions.can_view_referral(self.user(name), referral) == submitted
            visible = permissions.referral_list_visible(world.receiver_worker)
            assert visible.filter(pk=referral.pk).exists() == submitted

            # Closed: no more answers from the receiver; withdrawn: no more personal data.
            for name in RECEIVERS if referral.state in CLOSED_STATES else ():
                user = self.user(name)
                assert not permissions.is_receiver(user, referral)
                assert not permissions.is_receiving_supervisor(user, referral)
                if referral.state == State.WITHDRAWN:
                    assert not permissions.can_view_shared_data(user, referral)
            if referral.state == State.WITHDRAWN:
                assert referral.shared_data_revoked_at is not None
                assert not permissions.referral_ids_with_shared_data(
                    world.receiver_supervisor, [referral.pk]
                )

            # Once sent, the snapshot: the reference always, the notes never (not consented).
            if any(target in (State.SUBMITTED, State.PENDING_MODERATION) for _, target in chain):
                assert referral.shared_data["reference"] == self.case.reference
                assert "notes" not in referral.shared_data

    run_state_machine_as_test(
        ReferralMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=20,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


def test_random_walks_keep_the_invariants(world):
    run_machine(world)
