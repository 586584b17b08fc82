"""A database that cannot be reached (issue 12: a PostgreSQL restart gave 8 × 500, Django's debug
page with DEBUG on): 503 with Retry-After, JSON on the API and a page elsewhere; a read is tried
once more on a fresh connection, a write is not repeated."""

from __future__ import annotations

import contextlib

import pytest
from django.db import OperationalError, connection
from django.test import Client

from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db(transaction=True)


class Outage:
    """Every query fails, as with a server that is restarting; ``failures`` of them if given."""

    def __init__(self, failures: int | None = None) -> None:
        self.left = failures
        self.raised = 0

    def __call__(self, execute, sql, params, many, context):
        if self.left is None or self.left > 0:
            if self.left is not None:
                self.left -= 1
            self.raised += 1
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


@pytest.fixture
def signed_in():
    # Django's test client raises what a view raised; a server answers: see what it answers.
    client = Client(raise_request_exception=False)
    user = member(OrganisationFactory(), "caseworker")
    client.force_login(user)
    # Load what the session needs before the outage begins, as a running server would have.
    client.get("/api/v1/notifications/")
    return client


@contextlib.contextmanager
def outage(failures: int | None = None):
    wrapper = Outage(failures)
    with connection.execute_wrapper(wrapper):
        yield wrapper


def test_the_api_answers_503_with_retry_after_in_json(signed_in, settings):
    settings.DEBUG = True  # as in the report: not the debug page either
    with outage():
        response = signed_in.get("/api/v1/organisations/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert "unavailable" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0


def test_a_page_answers_503_with_a_page_in_three_languages(signed_in):
    with outage():
        response = signed_in.get("/organisations/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"]
    body = response.content.decode()
    assert "briefly unavailable" in body
    assert 'lang="ar" dir="rtl"' in body


def test_a_read_is_tried_once_more_on_a_fresh_connection(signed_in):
    with outage(failures=1) as wrapper:
        response = signed_in.get("/api/v1/organisations/")
    assert wrapper.raised == 1
    assert response.status_code == 200
    assert response.json()["results"]


def test_a_write_is_not_repeated(signed_in):
    with outage(failures=1) as wrapper:
        response = signed_in.post(
            "/api/v1/notifications/read-all/", {}, content_type="application/json"
        )
    assert wrapper.raised == 1
    assert response.status_code == 503
    assert response["Retry-After"]


@pytest.mark.parametrize("debug", [False, True])
def test_a_failure_before_any_view_is_a_503_too(debug, settings):
    """The session and the signed-in user are read by middlewares, before any view: Django
    turned their failure into a 500 (its debug page with DEBUG on)."""
    settings.DEBUG = debug
    client = Client(raise_request_exception=False)
    client.force_login(member(OrganisationFactory(), "caseworker"))
    with outage():
        api = client.get("/api/v1/referrals/")
        page = client.get("/referrals/")
    assert (api.status_code, page.status_code) == (503, 503)
    assert api.json()["detail"]
    assert b"briefly unavailable" in page.content


def test_other_server_errors_stay_500(settings):
    from django.urls import path

    from config import urls

    def broken(request):
        raise RuntimeError("a bug")

    settings.ROOT_URLCONF = type(
        "Urls", (), {"urlpatterns": [path("broken/", broken), *urls.urlpatterns]}
    )
    client = Client(raise_request_exception=False)
    assert client.get("/broken/").status_code == 500


def test_a_real_postgresql_that_refuses_connections_gives_503(signed_in):
    """With the real driver: the server is gone (nothing listens on the port any more)."""
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL pass of CI runs it; on SQLite there is no server to lose")
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        response = signed_in.get("/api/v1/organisations/")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert response.status_code == 503
    assert response["Retry-After"]
    assert signed_in.get("/api/v1/organisations/").status_code == 200
