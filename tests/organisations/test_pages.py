"""Signing in, and pages in the reader's language (Arabic right to left)."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_sign_in_page_has_username_and_password_fields(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="username"' in body
    assert 'name="password"' in body
    assert 'type="password"' in body
    assert 'name="csrfmiddlewaretoken"' in body


def test_signing_in_opens_the_home_page(client, alice):
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == "/"
    assert response.context["user"] == alice
    assert "Helping Hands" in response.content.decode()
    assert int(client.session["_auth_user_id"]) == alice.pk


def test_a_wrong_password_does_not_sign_in(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": "nope-nope"})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_signing_in_follows_next_only_on_this_site(client, alice):
    inside = client.post(
        "/accounts/login/?next=/organisations/services/",
        {"username": "alice", "password": PASSWORD, "next": "/organisations/services/"},
    )
    assert inside["Location"] == "/organisations/services/"

    client.logout()
    outside = client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert outside["Location"] == "/"


def test_an_inactive_account_cannot_sign_in(client, alice):
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})

    assert "_auth_user_id" not in client.session


def test_the_home_page_is_for_signed_in_users(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_an_arabic_page_is_right_to_left(client, alice):
    client.force_login(alice)

    body = client.get("/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()

    assert '<html lang="ar" dir="rtl">' in body
    assert "الدليل" in body  # "Directory"


def test_the_sign_in_page_is_right_to_left_in_arabic(client):
    body = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()

    assert '<html lang="ar" dir="rtl">' in body


def test_a_french_page_is_in_french_and_left_to_right(client, alice):
    client.force_login(alice)

    body = client.get("/organisations/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").content.decode()

    assert '<html lang="fr" dir="ltr">' in body
    assert "Annuaire" in body  # "Directory"
    assert ">Directory<" not in body


def test_an_english_page_is_the_default(client, alice):
    client.force_login(alice)

    body = client.get("/organisations/", HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert '<html lang="en" dir="ltr">' in body
    assert ">Directory<" in body


def test_the_language_switcher_changes_the_language(client, alice):
    client.force_login(alice)

    response = client.post(
        "/i18n/setlang/", {"language": "ar", "next": "/organisations/"}, HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert response.status_code == 302
    assert response["Location"] == "/organisations/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    # The choice wins over the browser's preference from then on.
    body = client.get("/organisations/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="ar" dir="rtl">' in body


def test_the_language_switcher_ignores_an_unknown_language(client, alice):
    client.force_login(alice)

    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})

    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en" dir="ltr">' in body


def test_every_page_offers_the_language_switcher(client):
    body = client.get("/accounts/login/").content.decode()

    assert 'action="/i18n/setlang/"' in body
    for code in ("en", "fr", "ar"):
        assert f'<option value="{code}"' in body
