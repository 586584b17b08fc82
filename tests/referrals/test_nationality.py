"""Nationality is an ISO 3166-1 code: names become codes, other text is kept, names are shown."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.utils import translation

from organisations.names import country_code, country_name, language_name, language_names
from referrals import services
from referrals.models import Case
from tests.referrals.conftest import get, patch, post

MIGRATION = importlib.import_module("referrals.migrations.0002_case_nationality_iso")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("SD", "SD"),
        ("sdn", "SD"),
        ("Sudan", "SD"),
        ("Soudan", "SD"),
        ("السودان", "SD"),
        ("Côte d’Ivoire", "CI"),
        ("côte d'ivoire", "CI"),
        ("Stateless", ""),
        ("", ""),
    ],
)
def test_country_codes_from_codes_and_names_in_three_languages(text, code):
    assert country_code(text) == code


def test_names_follow_the_readers_language():
    with translation.override("fr"):
        assert country_name("GN") == "Guinée"
        assert language_names(["ar", "en"]) == "arabe, anglais"
    with translation.override("ar"):
        assert language_name("fr") == "الفرنسية"
    assert language_name("xx-unknown") == "xx-unknown"


def test_the_service_stores_a_code_and_keeps_other_text(world):
    case = world.case(nationality="Guinée")
    assert case.nationality == "GN"
    stateless = world.case(nationality="Stateless (born at sea)")
    stateless.refresh_from_db()
    assert stateless.nationality == ""
    assert stateless.nationality_other == "Stateless (born at sea)"


def test_the_api_answers_codes_and_accepts_names(world):
    response = post(world.sender_worker, "/api/v1/cases/", {"nationality": "Mali"})
    assert response.status_code == 201, response.content
    assert response.json()["nationality"] == "ML"
    case_id = response.json()["id"]
    patched = world_patch(world, case_id, {"nationality": "Apatride"})
    assert patched["nationality"] == ""
    assert patched["nationality_other"] == "Apatride"
    assert get(world.sender_worker, f"/api/v1/cases/{case_id}/").json()["nationality"] == ""


def world_patch(world, case_id, data):
    response = patch(world.sender_worker, f"/api/v1/cases/{case_id}/", data)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_case_page_shows_the_name_in_the_readers_language(world):
    case = world.case(nationality="SD", languages=["ar", "fr"])
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(world.sender_worker)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Soudan" in html
    assert "arabe, français" in html


def test_the_snapshot_shows_the_country_name_to_the_receiver(world):
    case = world.case(nationality="SD", fields=["given_name", "nationality", "languages"])
    referral = world.draft(case=case)
    services.referral_submit(referral_id=referral.pk, actor=world.sender_worker)
    referral.refresh_from_db()
    assert referral.shared_data["nationality"] == "SD"
    client = Client()
    client.force_login(world.receiver_worker)
    html = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Sudan" in html
    assert "Arabic" in html


@pytest.mark.parametrize(
    ("text", "code"), [("Côte d'Ivoire", "CI"), ("Soudan", "SD"), ("مالي", "ML"), ("Nowhere", "")]
)
def test_the_migration_reads_names_in_three_languages(text, code):
    assert MIGRATION._code(text) == code


def test_the_migration_turns_free_text_into_codes_and_keeps_the_rest(world):
    first, second = world.case(), world.case()
    # Rows as the old free-text column held them (short ones: the column is two wide now).
    Case.objects.filter(pk=first.pk).update(nationality="sd", nationality_other="")
    Case.objects.filter(pk=second.pk).update(nationality="XY", nationality_other="")
    MIGRATION.to_codes(django_apps, None)
    assert Case.objects.get(pk=first.pk).nationality == "SD"
    unknown = Case.objects.get(pk=second.pk)
    assert (unknown.nationality, unknown.nationality_other) == ("", "XY")
