"""notify: one notification per (recipient, key), active people only, e-mail as each prefers,
in each recipient's language."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from notifications import services
from notifications.models import Delivery, Notification, Preference
from notifications.services import notify
from referrals.models import EventName
from tests.notifications.conftest import message_for


@pytest.fixture
def event(world):
    referral = world.referral()
    return referral.events.get(name=EventName.SUBMITTED)


def test_it_notifies_each_recipient_once_per_key(world, event):
    message = message_for(event)
    people = [world.receiver_worker, world.receiver_supervisor]

    first = notify(recipients=people, message=message)
    again = notify(recipients=people, message=message)

    assert len(first) == 2
    assert again == []
    assert mail.outbox == []  # nothing is sent before the transaction commits
    assert Notification.objects.filter(key=message.key).count() == 2
    assert Delivery.objects.filter(notification__key=message.key).count() == 2
    for person in people:
        assert Notification.objects.filter(recipient=person, key=message.key).count() == 1


def test_running_it_twice_after_commit_sends_one_email(
    world, event, django_capture_on_commit_callbacks
):
    message = message_for(event)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            notify(recipients=[world.receiver_worker], message=message)

    assert Notification.objects.filter(recipient=world.receiver_worker).count() == 1
    assert Delivery.objects.get().status == "sent"
    assert [m.to for m in mail.outbox] == [[world.receiver_worker.email]]


def test_a_recipient_listed_twice_is_notified_once(world, event):
    notify(
        recipients=[world.receiver_worker, world.receiver_worker, None], message=message_for(event)
    )

    assert Notification.objects.filter(recipient=world.receiver_worker).count() == 1


def test_it_skips_inactive_recipients(world, event):
    world.receiver_worker2.is_active = False
    world.receiver_worker2.save(update_fields=["is_active"])

    created = notify(
        recipients=[world.receiver_worker, world.receiver_worker2, world.former],
        message=message_for(event),
    )

    assert [n.recipient for n in created] == [world.receiver_worker]
    assert not Notification.objects.filter(recipient__is_active=False).exists()
    assert not Delivery.objects.filter(notification__recipient__is_active=False).exists()


def test_the_email_follows_the_preference_of_each_kind(world, event):
    Preference.objects.create(user=world.receiver_worker, email_kinds_off=["referral.incoming"])
    Preference.objects.create(user=world.receiver_worker2, email_kinds_off=["referral.comment"])

    notify(
        recipients=[world.receiver_worker, world.receiver_worker2, world.receiver_supervisor],
        message=message_for(event),
    )

    assert Notification.objects.count() == 3  # in-app always
    assert {d.notification.recipient for d in Delivery.objects.all()} == {
        world.receiver_worker2,
        world.receiver_supervisor,
    }


def test_no_email_without_an_address(world, event):
    world.receiver_worker.email = ""
    world.receiver_worker.save(update_fields=["email"])

    notify(recipients=[world.receiver_worker], message=message_for(event))

    assert Notification.objects.filter(recipient=world.receiver_worker).exists()
    assert not Delivery.objects.exists()


def test_a_kind_off_by_default_sends_no_email_unless_chosen(world, event):
    comment = message_for(event, kind="referral.comment")

    notify(recipients=[world.receiver_worker], message=comment)

    assert Notification.objects.filter(recipient=world.receiver_worker).exists()
    assert not Delivery.objects.exists()


def test_choosing_a_language_keeps_the_kinds_that_are_off_by_default_off(world, event):
    # Saving only the language of e-mails must not switch on e-mails the user never asked for.
    services.preference_update(user=world.receiver_worker, language="fr")

    notify(recipients=[world.receiver_worker], message=message_for(event, kind="referral.comment"))
    notify(recipients=[world.receiver_worker], message=message_for(event))

    kinds_mailed = set(Delivery.objects.values_list("notification__kind", flat=True))
    assert kinds_mailed == {"referral.incoming"}


def _subject_in(language: str, referral) -> tuple[str, str]:
    with translation.override(language):
        category = str(referral.get_service_category_display())
        subject = translation.gettext("New referral #%(id)s (%(category)s) from %(sender)s") % {
            "id": referral.pk,
            "category": category,
            "sender": referral.from_organisation.name,
        }
    return subject, category


@pytest.mark.parametrize(("language", "hello"), [("fr", "Bonjour"), ("ar", "مرحب")])
def test_the_subject_and_email_are_in_the_recipients_language(
    world, event, language, hello, django_capture_on_commit_callbacks
):
    Preference.objects.create(user=world.receiver_worker, language=language)
    english_subject, english_category = _subject_in("en", event.referral)
    subject, category = _subject_in(language, event.referral)
    assert category != english_category  # the catalogue translates the service category

    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[world.receiver_worker, world.receiver_supervisor],
            message=message_for(event),
        )

    assert Notification.objects.get(recipient=world.receiver_worker).subject == subject
    assert Notification.objects.get(recipient=world.receiver_supervisor).subject == english_subject
    (email,) = (m for m in mail.outbox if m.to == [world.receiver_worker.email])
    assert email.subject == subject
    assert hello in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert f'lang="{language}"' in html


def test_names_are_not_html_escaped_in_plain_text(world, django_capture_on_commit_callbacks):
    world.sender.name = "Aide & Solidarité d'Avenir"
    world.sender.save(update_fields=["name"])
    event = world.referral().events.get(name=EventName.SUBMITTED)

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[world.receiver_worker], message=message_for(event))

    notification = Notification.objects.get()
    assert "Aide & Solidarité d'Avenir" in notification.subject
    (email,) = mail.outbox
    assert "Aide & Solidarité d'Avenir" in email.subject
    assert "Aide & Solidarité d'Avenir" in email.body
    html = email.alternatives[0][0]
    assert "Aide &amp; Solidarité d&#x27;Avenir" in html
    assert "&amp;amp;" not in html
