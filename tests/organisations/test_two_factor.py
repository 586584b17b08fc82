"""Two-factor sign-in (trust issue, item 9): available to everyone, required of supervisors,
organisation admins and platform admins when REQUIRE_2FA_FOR_PRIVILEGED is on, on the web and
for API tokens."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from organisations import two_factor
from tests.config.test_settings import GOOD_SECRET, run_manage
from tests.factories import PASSWORD, OrganisationFactory, UserFactory, member


def code_for(device: TOTPDevice, *, later: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = timezone.now().timestamp() + later
    return f"{totp.token():0{device.digits}d}"


def sign_in(client: Client, user) -> None:
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content


def enable(user) -> TOTPDevice:
    device = two_factor.pending_device(user)
    assert two_factor.confirm(user=user, token=code_for(device)) is not None
    device.refresh_from_db()
    return device


@pytest.fixture
def people(db):
    organisation = OrganisationFactory()
    return {
        "worker": member(organisation, "caseworker", username="w"),
        "supervisor": member(organisation, "supervisor", username="s"),
        "admin": member(organisation, "admin", username="a"),
        "staff": UserFactory(username="p", is_staff=True),
    }


@pytest.fixture
def required(settings):
    settings.REQUIRE_2FA_FOR_PRIVILEGED = True


@pytest.mark.parametrize("who", ["supervisor", "admin", "staff"])
def test_privileged_people_set_it_up_before_anything_else(people, required, who):
    client = Client()
    sign_in(client, people[who])
    for path in ("/", "/cases/", "/referrals/", "/admin/", "/organisations/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/two-factor/setup/"), path
    # The API over the session says why, in JSON.
    api = client.get("/api/v1/referrals/")
    assert api.status_code == 403
    assert "two-factor" in api.json()["detail"]
    # Sign-out still works.
    assert client.post("/accounts/logout/").status_code == 302


def test_a_caseworker_is_not_forced(people, required):
    client = Client()
    sign_in(client, people["worker"])
    assert client.get("/cases/").status_code == 200


def test_setting_it_up_with_the_app_and_signing_in_again(people, required):
    supervisor = people["supervisor"]
    client = Client()
    sign_in(client, supervisor)
    page = client.get("/accounts/two-factor/setup/")
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    wrong = client.post("/accounts/two-factor/setup/", {"code": "000000", "next": "/cases/"})
    assert "not valid" in wrong.content.decode()
    # django-otp makes the next try wait after a wrong code (1 s, then doubling).
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=2)):
        done = client.post("/accounts/two-factor/setup/", {"code": code_for(device), "next": "/"})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f]{8})</code></li>", done.content.decode())
    assert len(codes) == 10
    assert client.get("/cases/").status_code == 200

    # A new sign-in asks for the code after the password.
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1), tick=False):
        other = Client()
        sign_in(other, supervisor)
        asked = other.get("/cases/")
        assert asked["Location"].startswith("/accounts/two-factor/verify/")
        assert other.post("/accounts/two-factor/verify/", {"code": "123456"}).status_code == 200
        assert other.get("/cases/").status_code == 302
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2), tick=False):
        ok = other.post(
            "/accounts/two-factor/verify/", {"code": code_for(device), "next": "/cases/"}
        )
        assert ok["Location"] == "/cases/"
        assert other.get("/cases/").status_code == 200

    # A backup code works once.
    third, fourth = Client(), Client()
    sign_in(third, supervisor)
    assert third.post("/accounts/two-factor/verify/", {"code": codes[0]}).status_code == 302
    assert third.get("/cases/").status_code == 200
    sign_in(fourth, supervisor)
    assert fourth.post("/accounts/two-factor/verify/", {"code": codes[0]}).status_code == 200
    assert fourth.get("/cases/").status_code == 302


def test_a_caseworker_may_turn_it_on_and_off_a_supervisor_may_not_turn_it_off(people, required):
    worker, supervisor = people["worker"], people["supervisor"]
    enable(worker)
    client = Client()
    sign_in(client, worker)
    assert client.get("/cases/")["Location"].startswith("/accounts/two-factor/verify/")
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1), tick=False):
        device = TOTPDevice.objects.get(user=worker)
        client.post("/accounts/two-factor/verify/", {"code": code_for(device)})
    client.post("/accounts/two-factor/disable/")
    assert not two_factor.is_enabled(worker)

    device = enable(supervisor)
    client = Client()
    sign_in(client, supervisor)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1), tick=False):
        client.post("/accounts/two-factor/verify/", {"code": code_for(device)})
    client.post("/accounts/two-factor/disable/")
    assert two_factor.is_enabled(supervisor)


def test_the_next_page_after_the_code_stays_on_this_site(people):
    device = enable(people["worker"])
    client = Client()
    sign_in(client, people["worker"])
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1), tick=False):
        response = client.post(
            "/accounts/two-factor/verify/",
            {"code": code_for(device), "next": "https://evil.example/"},
        )
    assert response["Location"] == "/"


def test_api_tokens_need_the_second_factor(people, required):
    api = APIClient()
    url = "/api/v1/auth/token/"
    worker, supervisor = people["worker"], people["supervisor"]
    assert api.post(url, {"username": "w", "password": PASSWORD}).status_code == 200
    refused = api.post(url, {"username": "s", "password": PASSWORD})
    assert refused.status_code == 403
    device = enable(supervisor)
    missing = api.post(url, {"username": "s", "password": PASSWORD})
    assert missing.status_code == 400
    assert "otp" in missing.json()
    assert (
        api.post(url, {"username": "s", "password": PASSWORD, "otp": "000000"}).status_code == 400
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1), tick=False):
        ok = api.post(url, {"username": "s", "password": PASSWORD, "otp": code_for(device)})
    assert ok.status_code == 200
    assert "token" in ok.json()
    enable(worker)
    assert api.post(url, {"username": "w", "password": PASSWORD}).status_code == 400


def test_platform_admins_reset_a_lost_phone_and_never_see_the_secret(people, client):
    assert not any(
        model._meta.app_label in ("otp_totp", "otp_static") for model in admin.site._registry
    )
    enable(people["worker"])
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    meta = get_user_model()._meta
    response = client.post(
        reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"),
        {"action": "reset_two_factor", "_selected_action": [people["worker"].pk]},
    )
    assert response.status_code == 302
    assert not two_factor.is_enabled(people["worker"])


def test_production_requires_it_of_privileged_people_by_default():
    production = {
        "SECRET_KEY": GOOD_SECRET,
        "ALLOWED_HOSTS": "relais.example.org",
    }
    probe = "from django.conf import settings; print(settings.REQUIRE_2FA_FOR_PRIVILEGED)"
    assert run_manage("shell", "-c", probe, **production).stdout.split()[-1] == "True"
    assert run_manage("shell", "-c", probe, DEBUG="1").stdout.split()[-1] == "False"
    turned_off = run_manage("shell", "-c", probe, REQUIRE_2FA_FOR_PRIVILEGED="0", **production)
    assert turned_off.stdout.split()[-1] == "False"
