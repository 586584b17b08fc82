"""An organisation's intake team is told at once of the referrals that arrive; its other
caseworkers and supervisors read a morning summary, or nothing if they prefer (issue 13: one
referral to a municipality of sixty made sixty notifications and sixty e-mails)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.core import mail

from notifications import services as notification_services
from notifications.models import Notification
from organisations import services as organisation_services
from referrals import notifications as referral_notifications
from referrals import services
from referrals.models import IncomingDigest, Referral, ReferralEvent
from tests.factories import member, membership_of
from tests.notifications.conftest import at, mailed, notified

TUNIS = ZoneInfo("Africa/Tunis")
# A Tuesday afternoon in Tunis; its summary is due on Wednesday from 07:00.
TUESDAY = datetime.datetime(2030, 3, 5, 15, 0, tzinfo=TUNIS)
WEDNESDAY_6 = datetime.datetime(2030, 3, 6, 6, 30, tzinfo=TUNIS)
WEDNESDAY_8 = datetime.datetime(2030, 3, 6, 8, 0, tzinfo=TUNIS)


def put_on_intake(world, *people) -> None:
    for person in people:
        organisation_services.membership_set_intake(
            membership=membership_of(person, world.receiver), intake=True, actor=None
        )


def submit(world, capture, **options) -> Referral:
    referral = world.draft(**options)
    with capture(execute=True):
        services.referral_submit(referral_id=referral.pk, actor=world.sender_worker)
    return referral


def test_only_the_intake_team_is_told_at_once(world, django_capture_on_commit_callbacks):
    put_on_intake(world, world.receiver_worker)
    submit(world, django_capture_on_commit_callbacks)
    assert notified(kind="referral.incoming") == {"r.worker"}
    assert mailed() == [world.receiver_worker.email]


def test_without_an_intake_team_every_caseworker_and_supervisor_is_told(
    world, django_capture_on_commit_callbacks
):
    submit(world, django_capture_on_commit_callbacks)
    assert notified(kind="referral.incoming") == {"r.worker", "r.worker2", "r.supervisor"}


def test_a_municipality_of_sixty_sends_one_notice_per_intake_member(
    world, django_capture_on_commit_callbacks
):
    staff = [member(world.receiver, "caseworker", username=f"m.{i}") for i in range(57)]
    put_on_intake(world, *staff[:4], world.receiver_supervisor)
    before = Notification.objects.count()
    submit(world, django_capture_on_commit_callbacks)
    assert Notification.objects.count() - before == 5
    assert len(mail.outbox) == 5


def test_reminders_and_withdrawals_of_unassigned_referrals_go_to_the_intake_team(
    world, django_capture_on_commit_callbacks
):
    put_on_intake(world, world.receiver_supervisor)
    referral = submit(world, django_capture_on_commit_callbacks)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_withdraw(referral_id=referral.pk, actor=world.sender_worker, reason="x")
    assert notified(kind="referral.answered") == {"r.supervisor"}


def test_the_others_read_a_morning_summary_once(world, django_capture_on_commit_callbacks):
    put_on_intake(world, world.receiver_worker)
    with at(TUESDAY):
        first = submit(world, django_capture_on_commit_callbacks, urgency="emergency")
        submit(world, django_capture_on_commit_callbacks, urgency="normal")
    # An arrival on Wednesday is in Thursday's summary, not in Tuesday's.
    with at(WEDNESDAY_6 + datetime.timedelta(minutes=10)):
        submit(world, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with at(WEDNESDAY_6):  # before seven: Tuesday's summary is not due yet
        assert referral_notifications.incoming_digests_send() == 0
    with at(WEDNESDAY_8), django_capture_on_commit_callbacks(execute=True):
        assert referral_notifications.incoming_digests_send() == 1
        assert referral_notifications.incoming_digests_send() == 0  # once, however many runs

    digests = Notification.objects.filter(kind="referral.digest").select_related("recipient")
    assert {n.recipient.username for n in digests} == {"r.worker2", "r.supervisor"}
    subject = digests[0].subject
    assert subject.startswith("2 referrals arrived for Receiving Municipality on ")
    assert "Emergency (24 hours): 1" in digests[0].body
    assert "Normal (14 days): 1" in digests[0].body
    assert digests[0].url == "/referrals/?box=inbox"
    # Counts only: no case, no person, no referral number.
    assert f"#{first.pk}" not in subject + digests[0].body
    assert sorted(mailed()) == sorted(
        [world.receiver_worker2.email, world.receiver_supervisor.email]
    )
    row = IncomingDigest.objects.get()
    assert (row.organisation, row.day, row.arrivals, row.recipients) == (
        world.receiver,
        datetime.date(2030, 3, 5),
        2,
        2,
    )


def test_a_morning_the_beat_missed_is_caught_up_the_next(world, django_capture_on_commit_callbacks):
    put_on_intake(world, world.receiver_worker)
    with at(TUESDAY):
        submit(world, django_capture_on_commit_callbacks)
    with at(WEDNESDAY_8 + datetime.timedelta(days=1)):  # Thursday: Tuesday is still covered
        assert referral_notifications.incoming_digests_send() == 1


def test_no_summary_without_an_intake_team_or_without_arrivals(
    world, django_capture_on_commit_callbacks
):
    with at(TUESDAY):
        submit(world, django_capture_on_commit_callbacks)
    with at(WEDNESDAY_8):
        assert referral_notifications.incoming_digests_send() == 0  # everyone was told at once
    put_on_intake(world, world.receiver_worker)
    with at(WEDNESDAY_8 + datetime.timedelta(days=2)):
        assert referral_notifications.incoming_digests_send() == 0  # nothing arrived
    assert not Notification.objects.filter(kind="referral.digest").exists()


def test_a_person_may_turn_the_summary_off(world, django_capture_on_commit_callbacks):
    put_on_intake(world, world.receiver_worker)
    notification_services.preference_update(
        user=world.receiver_supervisor, silenced_kinds=["referral.digest"]
    )
    with at(TUESDAY):
        submit(world, django_capture_on_commit_callbacks)
    with at(WEDNESDAY_8):
        referral_notifications.incoming_digests_send()
    assert notified(kind="referral.digest") == {"r.worker2"}


def test_the_summary_query_reads_arrivals_only(world, django_capture_on_commit_callbacks):
    put_on_intake(world, world.receiver_worker)
    with at(TUESDAY):
        referral = submit(world, django_capture_on_commit_callbacks)
        services.referral_open(referral_id=referral.pk, actor=world.receiver_worker)
        services.referral_accept(referral_id=referral.pk, actor=world.receiver_worker)
    assert ReferralEvent.objects.filter(referral=referral).count() >= 3
    with at(WEDNESDAY_8):
        referral_notifications.incoming_digests_send()
    assert IncomingDigest.objects.get().arrivals == 1
