"""Opening what a notification is about reads it (issue 11): the receiver who opens a new
referral from the inbox, an e-mail or a bookmark does not find its notification still "new"; a
notification can be marked read without opening, with every other one about the same thing."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from notifications.models import Notification
from referrals.models import ReferralEvent, State
from referrals.notifications import event_notify

pytestmark = pytest.mark.django_db


def _notified(referral):
    for event in ReferralEvent.objects.filter(referral=referral, notified_at__isnull=True):
        event_notify(event_id=event.pk)


def _unread(user, referral=None):
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    return unread.filter(url=f"/referrals/{referral.pk}/") if referral else unread


def test_opening_a_referral_reads_its_notifications_and_no_one_elses(world, client):
    referral = world.referral(State.SUBMITTED)
    other = world.referral(State.SUBMITTED)
    _notified(referral)
    _notified(other)
    assert _unread(world.receiver_worker, referral).count() == 1
    assert _unread(world.receiver_worker2, referral).count() == 1
    client.force_login(world.receiver_worker)

    page = client.get(f"/referrals/{referral.pk}/")

    assert page.status_code == 200
    assert not _unread(world.receiver_worker, referral).exists()
    assert _unread(world.receiver_worker, other).count() == 1  # only what was opened
    assert _unread(world.receiver_worker2, referral).count() == 1  # only who opened it
    # The bell of the page just opened already counts without it.
    assert '<span class="count">1</span>' in page.content.decode()


def test_an_ordinary_page_costs_one_read_and_no_write(world, client):
    referral = world.referral(State.SUBMITTED)
    _notified(referral)
    client.force_login(world.receiver_worker)

    with CaptureQueriesContext(connection) as queries:
        client.get("/notifications/preferences/")

    statements = [q["sql"] for q in queries.captured_queries]
    looked_up = [s for s in statements if "notifications_notification" in s and "url" in s]
    assert len(looked_up) == 1
    assert not [s for s in statements if s.startswith("UPDATE") and "notification" in s]
    assert _unread(world.receiver_worker, referral).count() == 1


def test_mark_as_read_reads_every_notification_about_the_same_thing(world, client):
    referral = world.referral(State.SUBMITTED)
    other = world.referral(State.SUBMITTED)
    _notified(referral)
    _notified(other)
    # The same referral is written on twice more: three notices about one thing.
    client.force_login(world.sender_worker)
    client.post(f"/referrals/{referral.pk}/comment/", {"comment": "Any news?"})
    client.post(f"/referrals/{referral.pk}/comment/", {"comment": "Still waiting"})
    _notified(referral)
    about = _unread(world.receiver_worker, referral)
    assert about.count() == 3
    client.force_login(world.receiver_worker)

    response = client.post(f"/notifications/{about.first().pk}/read/")

    assert response.status_code == 302
    assert not about.exists()
    assert _unread(world.receiver_worker, other).count() == 1


def test_nobody_marks_anothers_notifications(world, client):
    referral = world.referral(State.SUBMITTED)
    _notified(referral)
    theirs = _unread(world.receiver_worker, referral).get()
    client.force_login(world.receiver_worker2)

    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert _unread(world.receiver_worker, referral).exists()


# Shown in the language it is read in ---------------------------------------------------------


def test_a_notification_is_shown_in_the_language_the_page_is_read_in(world, client):
    referral = world.referral(State.SUBMITTED)
    _notified(referral)  # the receiver's e-mails are in English (the default preference)
    notification = _unread(world.receiver_worker, referral).get()
    assert set(notification.texts) == {"en", "fr", "ar"}
    english, arabic = notification.texts["en"][0], notification.texts["ar"][0]
    assert english != arabic
    # The e-mail's language, without the marks that isolate names in the pages.
    assert notification.subject == english.replace("\u2068", "").replace("\u2069", "")
    assert f"\u2068{world.sender.name}\u2069" in arabic  # a Latin name in an Arabic sentence
    client.force_login(world.receiver_worker)

    client.cookies["django_language"] = "ar"
    page = client.get("/notifications/").content.decode()
    assert escape(arabic) in page
    assert escape(english) not in page
    api = client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="ar")
    assert api.json()["results"][0]["subject"] == arabic


def test_a_notification_written_before_the_languages_were_kept_is_shown_as_written(world, client):
    Notification.objects.create(
        recipient=world.receiver_worker, kind="referral.incoming", key="old", subject="Old news"
    )
    client.force_login(world.receiver_worker)
    client.cookies["django_language"] = "fr"

    assert "Old news" in client.get("/notifications/").content.decode()


@pytest.mark.parametrize(("language", "ago"), [("en", "3 hours ago"), ("fr", "il y a 3 heures")])
def test_when_a_notification_came_is_said_relative_to_now(world, client, language, ago):
    created = timezone.now() - datetime.timedelta(hours=3, minutes=5)
    Notification.objects.create(
        recipient=world.receiver_worker,
        kind="referral.incoming",
        key="earlier",
        subject="Earlier",
        created_at=created,
    )
    client.force_login(world.receiver_worker)
    client.cookies["django_language"] = language

    page = client.get("/notifications/").content.decode().replace("\xa0", " ")

    assert f">{ago}</time>" in page
    assert timezone.localtime(created).strftime("%d/%m/%Y %H:%M") in page  # the date, on hover
