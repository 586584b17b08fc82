"""A new account's welcome goes through the outbox (issue 12: inviting a member while the broker
was down answered 500 after the account was created, and the welcome was lost)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from notifications import kinds
from notifications.models import Delivery, DeliveryStatus
from notifications.services import delivery_sweep
from notifications.welcome import KIND
from organisations.models import Membership


@pytest.fixture
def admin_api(anna):
    client = APIClient()
    client.force_authenticate(anna)
    return client


def _invite(client, anna, email="sami@example.org"):
    url = f"/api/v1/organisations/{anna.memberships.get().organisation_id}/members/"
    return client.post(url, {"email": email, "role": "caseworker", "first_name": "Sami"})


def test_an_invite_while_the_broker_is_down_succeeds_and_the_welcome_waits(
    admin_api, anna, broker_down, django_capture_on_commit_callbacks, client
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(admin_api, anna)

    assert response.status_code == 201, response.content
    user = get_user_model().objects.get(email="sami@example.org")
    assert Membership.objects.filter(user=user, is_active=True).exists()
    welcome = Delivery.objects.get(notification__recipient=user, notification__kind=KIND)
    assert welcome.status == DeliveryStatus.PENDING
    assert mail.outbox == []


def _lease_over() -> datetime.datetime:
    """When a message no worker took was lost: the sweep hands its delivery over again."""
    return timezone.now() + datetime.timedelta(seconds=settings.NOTIFICATIONS_STALE_AFTER + 1)


def test_the_sweep_sends_the_welcome_with_a_link_that_sets_the_password(
    admin_api, anna, client, django_capture_on_commit_callbacks
):
    from config.celery import app

    app.conf.task_always_eager = False  # nothing runs the message: as if it were lost
    try:
        with django_capture_on_commit_callbacks(execute=False):
            assert _invite(admin_api, anna).status_code == 201
    finally:
        app.conf.task_always_eager = True
    assert mail.outbox == []

    assert delivery_sweep(now=_lease_over()) == 1

    [email] = mail.outbox
    assert email.to == ["sami@example.org"]
    assert email.subject == "Your Relais account"
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"
    body = email.body
    assert "Choose your password:" in body
    link = re.search(r"https?://\S+/reset/\S+", body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else "/" + path
    done = client.post(
        form_url,
        {"new_password1": "a-long-pass-phrase-2026", "new_password2": "a-long-pass-phrase-2026"},
    )
    assert done.status_code == 302
    assert get_user_model().objects.get(email="sami@example.org").has_usable_password()
    # Sent once: the sweep finds nothing more to send.
    assert delivery_sweep(now=_lease_over()) == 0


def test_no_welcome_goes_once_the_person_has_chosen_a_password(admin_api, anna):
    from config.celery import app

    app.conf.task_always_eager = False
    try:
        assert _invite(admin_api, anna).status_code == 201
    finally:
        app.conf.task_always_eager = True
    user = get_user_model().objects.get(email="sami@example.org")
    user.set_password("chosen-meanwhile-2026")
    user.save()

    delivery_sweep(now=_lease_over())

    assert mail.outbox == []
    welcome = Delivery.objects.get(notification__recipient=user, notification__kind=KIND)
    assert welcome.status == DeliveryStatus.DEAD


def test_an_existing_account_gets_no_welcome(
    admin_api, anna, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(admin_api, anna, email=alice.email)
    assert response.status_code in (201, 400), response.content
    assert not Delivery.objects.filter(notification__kind=KIND).exists()


def test_the_welcome_is_not_a_choice_on_the_preferences_page():
    assert KIND not in [kind.code for kind in kinds.all_kinds()]
    assert kinds.get(KIND) is not None
