"""The home page shows each role what needs them now, in counts that link to the work."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import Delivery, DeliveryStatus, Notification
from organisations.models import Partnership
from referrals import services
from referrals.models import Referral, State
from tests.factories import OrganisationFactory, UserFactory
from tests.referrals.conftest import get


def home(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def count(html: str, label: str) -> int:
    """The number shown beside a counter's label (escaped as the template escapes it)."""
    label = label.replace("'", "&#x27;")
    match = re.search(
        r'<span class="count">(\d+)</span> <span class="what">' + re.escape(label) + "</span>",
        html,
    )
    assert match, f"no counter {label!r}"
    return int(match.group(1))


def link(html: str, label: str) -> str:
    label = label.replace("'", "&#x27;")
    match = re.search(
        r'<a href="([^"]+)"><span class="count">\d+</span> <span class="what">' + re.escape(label),
        html,
    )
    assert match
    return match.group(1).replace("&amp;", "&")


def test_a_caseworker_sees_new_and_overdue_referrals_in_the_inbox(world):
    world.referral(State.SUBMITTED)
    late = world.referral(State.SUBMITTED)
    Referral.objects.filter(pk=late.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    html = home(world.receiver_worker)
    assert count(html, "New referrals not yet opened") == 2
    assert count(html, "Awaiting an answer past their due time") == 1
    assert link(html, "New referrals not yet opened") == "/referrals/?box=inbox&state=submitted"
    # Following the link shows exactly those.
    client = Client()
    client.force_login(world.receiver_worker)
    page = client.get(link(html, "Awaiting an answer past their due time")).content.decode()
    assert f"#{late.pk}" in page


def test_a_caseworker_sees_what_is_assigned_to_them(world):
    world.referral(State.IN_PROGRESS)
    html = home(world.receiver_worker)
    assert count(html, "Assigned to me and in care") == 1
    assert count(html, "Assigned to me and in care") == 1
    assert count(home(world.receiver_worker2), "Assigned to me and in care") == 0


def test_the_sender_sees_answers_since_they_last_looked(world):
    world.referral(State.ACCEPTED)
    declined = world.referral(State.DECLINED)
    html = home(world.sender_worker)
    assert count(html, "Accepted") == 1
    assert count(html, "Declined") == 1
    del declined
    client = Client()
    client.force_login(world.sender_worker)
    client.get("/referrals/?box=outbox")
    html = home(world.sender_worker)
    assert count(html, "Accepted") == 0
    assert count(html, "Declined") == 0


def test_a_supervisor_sees_escalations_unassigned_work_and_who_read_the_cases(world):
    referral = world.referral(State.SUBMITTED)
    Referral.objects.filter(pk=referral.pk).update(escalation_sent_at=timezone.now())
    accepted = world.referral(State.ACCEPTED)
    Referral.objects.filter(pk=accepted.pk).update(assignee=None)
    services.referral_open(referral_id=referral.pk, actor=world.receiver_worker)
    html = home(world.receiver_supervisor)
    assert count(html, "Escalated to supervisors") == 1
    assert count(html, "Accepted but assigned to nobody") == 1
    assert "Who read our cases lately" in html
    sender_html = home(world.sender_supervisor)
    # The receiver opened our case's referral: the sender's supervisor sees who.
    assert "r.worker" in sender_html or world.receiver_worker.get_full_name() in sender_html
    assert "/cases/access-log/" in sender_html
    # The reader's organisation isolated, as every name in the page's sentences.
    assert f" · \u2068{world.receiver.name}\u2069" in sender_html
    # A caseworker has no such sections.
    worker_html = home(world.sender_worker)
    assert "Escalated to supervisors" not in worker_html
    assert "Who read our cases lately" not in worker_html


def test_a_coordinator_sees_moderation_and_overdue_counts_per_organisation(world):
    world.referral(State.PENDING_MODERATION, actor=world.unverified_worker)
    late = world.referral(State.SUBMITTED)
    Referral.objects.filter(pk=late.pk).update(due_at=timezone.now() - datetime.timedelta(days=1))
    html = home(world.coordinator)
    assert count(html, "Referrals awaiting my moderation") == 1
    # The name isolated (U+2068 ... U+2069): it keeps its place in a right-to-left sentence.
    assert count(html, f"Overdue referrals at \u2068{world.receiver.name}\u2069") == 1
    # Counts only: no person, no case reference.
    assert late.case.reference not in html
    assert "Amina" not in html


def test_a_coordinator_sees_action_items_and_unacknowledged_alerts(world):
    from coordination import permissions as coordination_permissions
    from coordination import services as coordination_services

    coordination_permissions.group_sync(world.group)
    alert = coordination_services.alert_broadcast(
        group=world.group,
        actor=world.coordinator,
        title="Influx at the port",
        message="Sixty people arrived.",
    )
    html = home(world.coordinator)
    assert "Influx at the port" in html
    assert "Not yet acknowledged by" in html
    assert world.receiver.name in html
    assert f"/coordination/alerts/{alert.pk}/" in html
    member_html = home(world.receiver_worker)
    assert count(member_html, "Alerts to acknowledge") == 1


def test_a_platform_admin_sees_verification_partnerships_and_dead_letters(world):
    admin = UserFactory(username="platform", is_superuser=True, is_staff=True)
    OrganisationFactory(name="New CSO", is_verified=False)
    Partnership.objects.create(
        municipality=world.receiver,
        organisation=world.sender,
        starts_on=timezone.localdate() - datetime.timedelta(days=300),
        ends_on=timezone.localdate() + datetime.timedelta(days=20),
        scope="Shelter",
    )
    notification = Notification.objects.create(recipient=admin, kind="x", key="k", subject="s")
    Delivery.objects.create(notification=notification, key="dead-1", status=DeliveryStatus.DEAD)
    html = home(admin)
    assert count(html, "Organisations waiting for verification") >= 2  # New CSO, Unverified CSO
    assert count(html, "Partnerships ending within 60 days") == 1
    assert count(html, "E-mails that failed for good") == 1
    assert "New CSO" in html
    assert f"\u2068{world.receiver.name}\u2069 – \u2068{world.sender.name}\u2069" in html
    assert "not a member of any organisation" not in html


@pytest.mark.parametrize(
    "persona", ["receiver_worker", "receiver_supervisor", "sender_worker", "coordinator"]
)
def test_the_home_page_keeps_a_constant_number_of_queries(world, persona):
    user = getattr(world, persona)

    def queries() -> int:
        client = Client()
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured.captured_queries)

    def some_referrals() -> None:
        for state in (State.SUBMITTED, State.ACCEPTED, State.DECLINED):
            world.referral(state)
        world.referral(State.PENDING_MODERATION, actor=world.unverified_worker)

    some_referrals()
    few = queries()
    for _ in range(6):
        some_referrals()
    services.access_record(user=world.receiver_worker, cases=list(world.sender.cases.all()))
    assert queries() == few


def test_a_new_user_without_organisation_is_told_what_to_do(db):
    html = home(UserFactory(username="newcomer"))
    assert "not a member of any organisation" in html


def test_the_inbox_filters_what_is_assigned_on_the_web_and_the_api(world):

    mine = world.referral(State.IN_PROGRESS)
    nobody = world.referral(State.ACCEPTED)
    Referral.objects.filter(pk=nobody.pk).update(assignee=None)
    world.referral(State.SUBMITTED)
    response = get(world.receiver_worker, "/api/v1/referrals/?box=inbox&assigned=me")
    assert [r["id"] for r in response.json()["results"]] == [mine.pk]
    response = get(world.receiver_supervisor, "/api/v1/referrals/?box=inbox&assigned=none")
    assert [r["id"] for r in response.json()["results"]] == [nobody.pk]
    assert get(world.receiver_worker, "/api/v1/referrals/?assigned=you").status_code == 400
    client = Client()
    client.force_login(world.receiver_worker)
    html = client.get("/referrals/?box=inbox&assigned=me").content.decode()
    assert f"#{mine.pk}" in html
    assert f"#{nobody.pk}" not in html


def test_counts_are_not_capped_by_the_short_lists(world):
    """The home page lists five entries but counts them all."""
    from coordination import permissions as coordination_permissions
    from coordination import services as coordination_services

    coordination_permissions.group_sync(world.group)
    for number in range(7):
        coordination_services.alert_broadcast(
            group=world.group, actor=world.coordinator, title=f"Alert {number}", message="m"
        )
    html = home(world.receiver_worker)
    assert count(html, "Alerts to acknowledge") == 7
    assert html.count("/coordination/alerts/") == 5


def test_the_api_dashboard_holds_the_same_counts_as_the_home_page(world):

    world.referral(State.SUBMITTED)
    late = world.referral(State.SUBMITTED)
    Referral.objects.filter(pk=late.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))

    response = get(world.receiver_worker, "/api/v1/dashboard/")

    assert response.status_code == 200, response.data
    items = {
        item["label"]: item for section in response.data["sections"] for item in section["items"]
    }
    html = home(world.receiver_worker)
    for label in ("New referrals not yet opened", "Awaiting an answer past their due time"):
        assert items[label]["count"] == count(html, label)
        assert items[label]["url"] == link(html, label)
    assert get(world.receiver_worker, "/api/v1/dashboard/?organisation=").status_code == 400
