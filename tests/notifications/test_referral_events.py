"""Referral events notify exactly the people concerned, in-app and by e-mail, after commit, and
never with personal data."""

from __future__ import annotations

import pytest
from django.core import mail

from notifications.models import Notification
from organisations import services as organisation_services
from referrals import services
from referrals.models import State
from tests.factories import member, membership_of
from tests.notifications.conftest import email_of, mailed, notified


def link(referral) -> str:
    return f"/referrals/{referral.pk}/"


def test_submitting_notifies_the_receiving_caseworkers_and_supervisors_only(
    world, django_capture_on_commit_callbacks
):
    member(world.receiver, "admin", username="r.admin")  # manages the organisation, not cases
    referral = world.draft()

    with django_capture_on_commit_callbacks(execute=True):
        services.referral_submit(referral_id=referral.pk, actor=world.sender_worker)

    receivers = {"r.worker", "r.worker2", "r.supervisor"}
    assert notified() == receivers  # not the sender, the third organisation or r.admin
    assert not notified(recipient__in=[world.sender_worker, world.third_worker])
    assert notified(kind="referral.incoming", url=link(referral)) == receivers
    assert sorted(mailed()) == email_of(
        world.receiver_worker, world.receiver_worker2, world.receiver_supervisor
    )
    subject = Notification.objects.filter(recipient=world.receiver_worker).get().subject
    assert subject == f"New referral #{referral.pk} (Emergency shelter) from Sender CSO"
    assert mail.outbox[0].subject.startswith(f"New referral #{referral.pk}")


def test_nothing_is_notified_before_the_commit(world, django_capture_on_commit_callbacks):
    referral = world.draft()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.referral_submit(referral_id=referral.pk, actor=world.sender_worker)

    assert callbacks  # the notification waits for the commit
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_moderation_first_then_the_receiver_after_approval(
    world, django_capture_on_commit_callbacks
):
    referral = world.draft(actor=world.unverified_worker)

    with django_capture_on_commit_callbacks(execute=True):
        services.referral_submit(referral_id=referral.pk, actor=world.unverified_worker)

    assert notified() == {"io.coordinator"}
    assert notified(kind="referral.moderation", url=link(referral)) == {"io.coordinator"}
    assert mailed() == [world.coordinator.email]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_approve(referral_id=referral.pk, actor=world.coordinator)

    assert notified(kind="referral.incoming") == {"r.worker", "r.worker2", "r.supervisor"}
    assert notified(kind="referral.answered") == {"u.worker"}
    assert Notification.objects.get(recipient=world.unverified_worker).subject == (
        f"Referral #{referral.pk} was approved and sent to Receiving Municipality"
    )
    assert sorted(mailed()) == email_of(
        world.receiver_worker,
        world.receiver_worker2,
        world.receiver_supervisor,
        world.unverified_worker,
    )


def test_a_rejection_tells_the_sender_and_never_the_receiver(
    world, django_capture_on_commit_callbacks
):
    referral = world.referral(State.PENDING_MODERATION, actor=world.unverified_worker)

    with django_capture_on_commit_callbacks(execute=True):
        services.referral_reject(referral_id=referral.pk, actor=world.coordinator, reason="No")

    assert notified() == {"u.worker"}
    assert notified(kind="referral.answered") == {"u.worker"}


def _answer(world, referral, answer: str) -> None:
    rid, actor = referral.pk, world.receiver_worker
    if answer == "accept":
        services.referral_accept(referral_id=rid, actor=actor)
    elif answer == "decline":
        services.referral_decline(referral_id=rid, actor=actor, reason="no_capacity", note="Full")
    elif answer == "complete":
        services.referral_complete(referral_id=rid, actor=actor, outcome="provided", note="Done")


@pytest.mark.parametrize(
    ("before", "answer", "subject"),
    [
        (State.SUBMITTED, "accept", "Receiving Municipality accepted referral #{id}"),
        (State.SUBMITTED, "decline", "Receiving Municipality declined referral #{id}"),
        (
            State.ACCEPTED,
            "complete",
            "Referral #{id} is completed: outcome recorded by Receiving Municipality",
        ),
    ],
)
def test_answers_notify_the_caseworker_who_sent_it(
    world, django_capture_on_commit_callbacks, before, answer, subject
):
    referral = world.referral(before)

    with django_capture_on_commit_callbacks(execute=True):
        _answer(world, referral, answer)

    assert notified() == {"s.worker"}
    (notification,) = Notification.objects.all()
    assert notification.kind == "referral.answered"
    assert notification.subject == subject.format(id=referral.pk)
    assert notification.url == link(referral)
    assert mailed() == [world.sender_worker.email]


def test_the_senders_supervisors_hear_when_the_caseworker_left(
    world, django_capture_on_commit_callbacks
):
    referral = world.referral()
    organisation_services.membership_deactivate(
        membership=membership_of(world.sender_worker, world.sender), actor=None
    )

    with django_capture_on_commit_callbacks(execute=True):
        _answer(world, referral, "decline")

    assert notified() == {"s.supervisor"}
    assert mailed() == [world.sender_supervisor.email]


def test_a_comment_notifies_the_other_side(world, django_capture_on_commit_callbacks):
    referral = world.referral()

    with django_capture_on_commit_callbacks(execute=True):
        services.referral_comment(
            referral_id=referral.pk, actor=world.receiver_worker, text="Can she come at 9?"
        )
    assert notified() == {"s.worker"}
    assert notified(kind="referral.comment", url=link(referral)) == {"s.worker"}

    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_comment(
            referral_id=referral.pk, actor=world.sender_worker, text="Yes, at 9."
        )
    assert notified() == {"r.worker", "r.worker2", "r.supervisor"}
    # Comments come by e-mail only to those who ask for it.
    assert mail.outbox == []


def test_a_comment_on_an_accepted_referral_reaches_its_assignee(
    world, django_capture_on_commit_callbacks
):
    referral = world.referral(State.ACCEPTED)

    with django_capture_on_commit_callbacks(execute=True):
        services.referral_comment(referral_id=referral.pk, actor=world.sender_worker, text="Hi")

    assert notified() == {"r.worker"}


def test_an_escalation_reaches_supervisors_coordinators_and_the_sender(
    world, django_capture_on_commit_callbacks
):
    referral = world.referral()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.referral_deadline_step(referral_id=referral.pk, step="escalation")

    assert notified() == {"r.supervisor", "io.coordinator", "s.worker"}
    assert notified(kind="referral.deadline", url=link(referral)) == {"r.supervisor", "s.worker"}
    assert notified(kind="referral.deadline", url="") == {"io.coordinator"}
    assert sorted(mailed()) == email_of(
        world.receiver_supervisor, world.coordinator, world.sender_worker
    )
    coordinator_email = next(m for m in mail.outbox if m.to == [world.coordinator.email])
    assert "/referrals/" not in coordinator_email.body
    assert "/referrals/" not in coordinator_email.alternatives[0][0]


def test_a_supervisor_who_also_coordinates_hears_of_an_escalation_once(
    world, django_capture_on_commit_callbacks
):
    world.group.coordinators.add(world.receiver_supervisor)
    referral = world.referral()

    with django_capture_on_commit_callbacks(execute=True):
        services.referral_deadline_step(referral_id=referral.pk, step="escalation")

    mine = Notification.objects.filter(recipient=world.receiver_supervisor)
    assert [n.url for n in mine] == [link(referral)]
    assert mailed().count(world.receiver_supervisor.email) == 1


SECRETS = ("Zainab", "Confidential note", "+216 20 000 000", "Needs a bed tonight", "at 9")


def test_notifications_never_contain_personal_data(world, django_capture_on_commit_callbacks):
    case = world.case(given_name="Zainab", consent_to=(world.receiver,))
    with django_capture_on_commit_callbacks(execute=True):
        referral = world.referral(State.COMPLETED, case=case)
        services.referral_comment(
            referral_id=referral.pk, actor=world.sender_worker, text="Zainab comes at 9"
        )
        services.referral_comment(
            referral_id=referral.pk, actor=world.receiver_worker, text="Zainab came at 9"
        )
        services.referral_deadline_step(referral_id=world.referral().pk, step="escalation")
        world.referral(State.DECLINED, case=case, category="health")
        world.referral(State.WITHDRAWN, case=case, category="food")

    assert Notification.objects.count() >= 10
    texts = [f"{n.subject}\n{n.body}" for n in Notification.objects.all()]
    texts += [m.subject + m.body + m.alternatives[0][0] for m in mail.outbox]
    assert mail.outbox
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


def test_members_of_a_deactivated_organisation_hear_nothing(
    world, django_capture_on_commit_callbacks
):
    referral = world.referral()
    organisation_services.organisation_deactivate(organisation=world.sender, actor=None)

    with django_capture_on_commit_callbacks(execute=True):
        _answer(world, referral, "decline")

    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_a_supervisor_naming_another_assignee_tells_them(world, django_capture_on_commit_callbacks):
    referral = world.referral(State.ACKNOWLEDGED)

    with django_capture_on_commit_callbacks(execute=True):
        services.referral_accept(
            referral_id=referral.pk,
            actor=world.receiver_supervisor,
            assignee=world.receiver_worker2,
        )

    assert notified(kind="referral.assigned") == {"r.worker2"}
