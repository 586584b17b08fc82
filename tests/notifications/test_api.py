"""The notifications API: my own notifications, newest first; mark one read."""

from __future__ import annotations

import pytest
from django.utils import timezone

from notifications.models import Notification


@pytest.fixture
def notes(alice, bob) -> list[Notification]:
    return [
        Notification.objects.create(
            recipient=recipient, kind="referral.incoming", key=key, subject=key, url="/referrals/1/"
        )
        for recipient, key in ((alice, "a1"), (alice, "a2"), (bob, "b1"))
    ]


def test_it_lists_only_my_notifications_newest_first(api_client, alice, notes):
    api_client.force_authenticate(alice)

    response = api_client.get("/api/v1/notifications/")

    assert response.status_code == 200
    assert [row["subject"] for row in response.data["results"]] == ["a2", "a1"]
    assert response.data["results"][0]["is_read"] is False
    assert response.data["results"][0]["url"] == "/referrals/1/"


def test_it_filters_the_unread(api_client, alice, notes):
    Notification.objects.filter(key="a1").update(read_at=timezone.now())
    api_client.force_authenticate(alice)

    response = api_client.get("/api/v1/notifications/?unread=true")

    assert [row["subject"] for row in response.data["results"]] == ["a2"]


def test_it_marks_one_read(api_client, alice, notes):
    api_client.force_authenticate(alice)

    response = api_client.post(f"/api/v1/notifications/{notes[0].pk}/read/")

    assert response.status_code == 200
    assert response.data["is_read"] is True
    assert Notification.objects.get(pk=notes[0].pk).read_at is not None
    assert Notification.objects.get(pk=notes[1].pk).read_at is None
    again = api_client.post(f"/api/v1/notifications/{notes[0].pk}/read/")
    assert again.status_code == 200
    assert again.data["read_at"] == response.data["read_at"]


@pytest.mark.parametrize("pk", ["other", "999999", "abc"])
def test_someone_elses_or_a_missing_notification_is_not_found(api_client, alice, notes, pk):
    target = str(notes[2].pk) if pk == "other" else pk
    api_client.force_authenticate(alice)

    response = api_client.post(f"/api/v1/notifications/{target}/read/")

    assert response.status_code == 404
    assert Notification.objects.get(pk=notes[2].pk).read_at is None


def test_signed_out_is_401(api_client, notes):
    assert api_client.get("/api/v1/notifications/").status_code == 401
    assert api_client.post(f"/api/v1/notifications/{notes[0].pk}/read/").status_code == 401
