"""The notifications API: my own notifications, newest first; mark one read."""

from __future__ import annotations

import pytest
from django.utils import timezone

from notifications.models import Notification, Preference


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


def test_it_marks_all_mine_read_and_no_one_elses(api_client, alice, bob, notes):
    api_client.force_authenticate(alice)

    response = api_client.post("/api/v1/notifications/read-all/")

    assert response.status_code == 200
    assert response.data == {"marked": 2}
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    assert Notification.objects.get(recipient=bob).read_at is None


def test_the_preferences_read_and_change_as_on_the_web(api_client, alice):
    api_client.force_authenticate(alice)

    shown = api_client.get("/api/v1/notifications/preferences/")

    assert shown.status_code == 200
    codes = [kind["code"] for kind in shown.data["kinds"]]
    assert "referral.incoming" in codes
    assert "referral.incoming" in shown.data["email_kinds"]
    assert "referral.comment" not in shown.data["email_kinds"]  # each kind's default

    changed = api_client.patch(
        "/api/v1/notifications/preferences/",
        {"language": "ar", "email_kinds": ["referral.comment"]},
        format="json",
    )

    assert changed.status_code == 200, changed.data
    assert changed.data["language"] == "ar"
    assert changed.data["email_kinds"] == ["referral.comment"]
    preference = Preference.objects.get(user=alice)
    assert preference.wants_email("referral.comment")
    assert not preference.wants_email("referral.incoming")
    only_language = api_client.patch(
        "/api/v1/notifications/preferences/", {"language": "fr"}, format="json"
    )
    assert only_language.data["email_kinds"] == ["referral.comment"]  # left as it was
    kinds = {kind["code"]: kind["silenceable"] for kind in shown.data["kinds"]}
    assert kinds["referral.digest"] is True
    assert kinds["referral.incoming"] is False
    silenced = api_client.patch(
        "/api/v1/notifications/preferences/",
        {"silenced_kinds": ["referral.digest"]},
        format="json",
    )
    assert silenced.status_code == 200, silenced.data
    assert silenced.data["silenced_kinds"] == ["referral.digest"]
    assert not Preference.objects.get(user=alice).wants("referral.digest")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"language": "xx"}, "language"),
        ({"email_kinds": ["referral.nope"]}, "email_kinds"),
        ({"email_kinds": "referral.comment"}, "email_kinds"),
        # Only a kind that allows it can be silenced: an incoming referral cannot.
        ({"silenced_kinds": ["referral.incoming"]}, "silenced_kinds"),
        ({"silenced_kinds": "referral.digest"}, "silenced_kinds"),
    ],
)
def test_bad_preferences_are_refused_with_the_field(api_client, alice, body, field):
    api_client.force_authenticate(alice)
    before = api_client.get("/api/v1/notifications/preferences/").data

    response = api_client.patch("/api/v1/notifications/preferences/", body, format="json")

    assert response.status_code == 400
    assert field in response.data
    assert api_client.get("/api/v1/notifications/preferences/").data == before


def test_the_preferences_need_a_signed_in_user(api_client):
    assert api_client.get("/api/v1/notifications/preferences/").status_code == 401
