"""The bell, the notifications page, opening and marking read, the preferences and the
language switch."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from notifications.models import Notification, Preference


def bell_of(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    match = re.search(r'<a class="bell"[^>]*>(.*?)</a>', response.content.decode(), re.S)
    assert match, "no bell in the navigation"
    return match.group(1)


def count_in(bell: str) -> int | None:
    match = re.search(r'<span class="count">(\d+)</span>', bell)
    return int(match.group(1)) if match else None


@pytest.fixture
def notes(alice, bob) -> list[Notification]:
    def note(recipient, n, **fields):
        return Notification.objects.create(
            recipient=recipient,
            kind="referral.incoming",
            key=f"test:{recipient.pk}:{n}",
            subject=f"New referral #{n} for {recipient.username}",
            url=f"/referrals/{n}/",
            **fields,
        )

    return [
        note(alice, 1),
        note(alice, 2),
        note(alice, 3, read_at=timezone.now()),
        note(bob, 4),
    ]


def test_the_bell_shows_the_unread_count(client, alice, notes):
    client.force_login(alice)

    assert count_in(bell_of(client)) == 2


def test_the_bell_shows_no_count_when_all_is_read(client, bob, alice, notes):
    Notification.objects.filter(recipient=alice).update(read_at=timezone.now())
    client.force_login(alice)

    assert count_in(bell_of(client)) is None


def test_the_page_lists_my_notifications_only(client, alice, notes):
    client.force_login(alice)

    response = client.get("/notifications/")

    assert response.status_code == 200
    page = response.content.decode()
    for n in (1, 2, 3):
        assert f"New referral #{n} for alice" in page
    assert "for bob" not in page
    assert page.count('class="badge waiting_list"') == 2  # the unread ones are marked new


def test_the_page_needs_a_sign_in(client):
    response = client.get("/notifications/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_opening_marks_read_and_follows_the_link(client, alice, notes):
    client.force_login(alice)
    first = notes[0]

    response = client.post(f"/notifications/{first.pk}/open/")

    assert response.status_code == 302
    assert response["Location"] == "/referrals/1/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert count_in(bell_of(client)) == 1


def test_opening_needs_a_post(client, alice, notes):
    client.force_login(alice)

    assert client.get(f"/notifications/{notes[0].pk}/open/").status_code == 405
    assert Notification.objects.get(pk=notes[0].pk).read_at is None


def test_a_notice_without_a_link_opens_the_list(client, alice, notes):
    Notification.objects.filter(pk=notes[0].pk).update(url="")
    client.force_login(alice)

    response = client.post(f"/notifications/{notes[0].pk}/open/")

    assert response["Location"] == "/notifications/"


def test_a_link_to_another_site_is_never_followed(client, alice, notes):
    Notification.objects.filter(pk=notes[0].pk).update(url="https://evil.example/")
    client.force_login(alice)

    response = client.post(f"/notifications/{notes[0].pk}/open/")

    assert response["Location"] == "/notifications/"


def test_someone_elses_notification_is_not_found(client, alice, notes):
    bobs = notes[3]
    client.force_login(alice)

    response = client.post(f"/notifications/{bobs.pk}/open/")

    assert response.status_code == 404
    assert Notification.objects.get(pk=bobs.pk).read_at is None


def test_mark_all_read(client, alice, notes):
    client.force_login(alice)

    response = client.post("/notifications/read-all/")

    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=notes[3].pk).read_at is None  # bob's stays unread
    assert count_in(bell_of(client)) is None


def test_the_preferences_save_the_language_and_the_email_kinds(client, alice):
    client.force_login(alice)

    page = client.get("/notifications/preferences/")
    assert page.status_code == 200
    assert 'value="referral.incoming"' in page.content.decode()

    response = client.post(
        "/notifications/preferences/",
        {"language": "fr", "email_kinds": ["referral.incoming", "referral.deadline"]},
    )

    assert response.status_code == 302
    preference = Preference.objects.get(user=alice)
    assert preference.language == "fr"
    assert preference.wants_email("referral.incoming")
    assert preference.wants_email("referral.deadline")
    assert not preference.wants_email("referral.answered")
    assert not preference.wants_email("referral.comment")
    again = client.get("/notifications/preferences/").content.decode()
    assert re.search(r'value="referral.deadline"[^>]*checked', again)
    assert not re.search(r'value="referral.answered"[^>]*checked', again)


def test_the_summary_can_be_turned_off_altogether_and_nothing_else(client, alice):
    client.force_login(alice)
    page = client.get("/notifications/preferences/").content.decode()
    assert 'name="silenced_kinds" value="referral.digest"' in page
    assert 'name="silenced_kinds" value="referral.incoming"' not in page

    client.post(
        "/notifications/preferences/", {"language": "en", "silenced_kinds": ["referral.digest"]}
    )
    assert Preference.objects.get(user=alice).silenced_kinds == ["referral.digest"]
    again = client.get("/notifications/preferences/").content.decode()
    assert re.search(r'name="silenced_kinds" value="referral.digest"[^>]*checked', again)

    response = client.post(
        "/notifications/preferences/", {"language": "en", "silenced_kinds": ["referral.incoming"]}
    )
    assert response.status_code == 200  # shown again with the error
    assert Preference.objects.get(user=alice).silenced_kinds == ["referral.digest"]


def test_the_preferences_page_starts_from_each_kinds_default(client, alice):
    client.force_login(alice)

    page = client.get("/notifications/preferences/").content.decode()

    assert re.search(r'value="referral.incoming"[^>]*checked', page)
    assert not re.search(r'value="referral.comment"[^>]*checked', page)


def test_an_unknown_language_is_refused(client, alice):
    client.force_login(alice)

    response = client.post("/notifications/preferences/", {"language": "xx"})

    assert response.status_code == 200
    assert Preference.objects.get(user=alice).language == "en"


def test_switching_the_language_remembers_it_for_emails(client, alice):
    client.force_login(alice)

    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/"})

    assert response.status_code == 302
    assert Preference.objects.get(user=alice).language == "ar"
    assert not Preference.objects.get(user=alice).wants_email("referral.comment")


def test_switching_to_an_unknown_language_changes_nothing(client, alice):
    client.force_login(alice)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})

    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})

    assert Preference.objects.get(user=alice).language == "fr"


def test_switching_the_language_signed_out_stores_nothing(client, alice):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})

    assert response.status_code == 302
    assert not Preference.objects.exists()


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_home_page_counts_unread_notifications_in_every_language(
    client, alice, notes, language
):
    """Arabic's plural rule computes n % 100 for three and more: the home page answered 500 in
    Arabic whenever three notifications were unread (found by the phone crawl)."""
    for n in range(5, 8):
        Notification.objects.create(
            recipient=alice,
            kind="referral.incoming",
            key=f"more:{n}",
            subject="New",
            url=f"/referrals/{n}/",
        )
    client.force_login(alice)
    client.cookies["django_language"] = language
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == language
    assert "unread-line" in response.content.decode()
    assert count_in(bell_of(client)) == 5
