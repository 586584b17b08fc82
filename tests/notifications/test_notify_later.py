"""notify_later (issue 12: coordination notified inside the request, rendering two templates and
inserting two rows per recipient): the request writes one row whatever the number of people;
a worker writes the notifications and e-mails after commit, once; a lost message is handed
over by the sweep."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coordination import services
from notifications.models import Delivery, Notification, PendingNotice, Preference
from notifications.services import delivery_sweep, notice_write
from tests.coordination.conftest import build_world
from tests.factories import member


def _alert(world):
    return services.alert_broadcast(
        actor=world.coordinator, group=world.group, title="Arrivals tonight", message="120"
    )


def test_the_request_writes_one_row_whatever_the_number_of_people(db):
    small = build_world()
    _alert(small)  # what is looked up once per process is looked up now
    with CaptureQueriesContext(connection) as few:
        _alert(small)
    for number in range(12):
        member(small.cso, "caseworker", username=f"extra{number}")
    with CaptureQueriesContext(connection) as many:
        _alert(small)

    assert len(many.captured_queries) == len(few.captured_queries)
    assert Notification.objects.count() == 0
    assert PendingNotice.objects.count() == 3


def test_the_worker_writes_each_notification_once_in_each_persons_language(
    db, django_capture_on_commit_callbacks
):
    world = build_world()
    Preference.objects.create(user=world.member_worker, language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        _alert(world)

    notice = PendingNotice.objects.get()
    assert notice.done_at is not None
    # Rendered once per language of the site (a notice is read in any of them), not per person.
    assert sorted(notice.texts) == ["ar", "en", "fr"]
    subjects = dict(Notification.objects.values_list("recipient__username", "subject"))
    assert subjects["member.worker"].startswith("Alerte")
    assert subjects["muni.worker"].startswith("Alert from")
    written = Notification.objects.count()
    assert Delivery.objects.count() == written

    assert notice_write(notice_id=notice.pk) == 0  # a second run writes nothing
    assert Notification.objects.count() == written


def test_a_lost_message_is_handed_over_by_the_sweep(db, django_capture_on_commit_callbacks):
    world = build_world()
    with django_capture_on_commit_callbacks(execute=False):  # the message never left
        _alert(world)
    assert Notification.objects.count() == 0

    assert delivery_sweep() == 0  # too young: probably still on its way
    later = timezone.now() + datetime.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        delivery_sweep(now=later)

    assert Notification.objects.count() > 0
    assert PendingNotice.objects.get().done_at is not None
    assert mail.outbox


def _templates_in(folder, settings):
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [str(folder), *settings.TEMPLATES[0]["DIRS"]]}
    ]


def test_a_text_written_for_everyone_may_not_read_the_recipient(db, tmp_path, settings):
    """One text per language for all recipients: a template reading `recipient` would give every
    reader the first person's name. Django's templates hide a missing variable; this one fails."""
    from notifications.services import Message, RecipientNotKnown, notify, notify_later

    (tmp_path / "personal_subject.txt").write_text("Hello {{ recipient.first_name }}")
    (tmp_path / "personal.txt").write_text("{% if recipient %}For you{% endif %}")
    _templates_in(tmp_path, settings)
    world = build_world()
    message = Message(kind="alert.broadcast", key="personal", template="personal", url="/")

    with pytest.raises(RecipientNotKnown):
        notify_later(recipients=[world.member_worker], message=message)
    assert PendingNotice.objects.count() == 0

    # notify renders per person: there the recipient is known.
    world.member_worker.first_name = "Amal"
    world.member_worker.save()
    [notification] = notify(recipients=[world.member_worker], message=message)
    assert notification.subject == "Hello Amal"
