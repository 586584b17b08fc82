"""Alerts: a coordinator or a member's supervisor alerts every member organisation at once;
each organisation acknowledges once; the sender sees who has not."""

from __future__ import annotations

import pytest

from coordination import selectors, services
from coordination.exceptions import AlreadyDone, NotAllowed, NotVisible
from coordination.models import AlertAcknowledgement
from notifications.models import Delivery, Notification
from tests.coordination.conftest import api, browser, written


def told(kind: str = "coordination.alert") -> set[str]:
    written()
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_a_coordinator_alerts_every_member_organisation(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        alert = services.alert_broadcast(
            actor=world.coordinator, group=world.group, title="Arrivals tonight", message="120"
        )

    assert set(alert.recipients.all()) == {world.municipality, world.cso, world.office}
    # Every active member of every member organisation, except the sender; no former staff.
    assert told() == {"member.worker", "member.supervisor", "muni.worker"}
    assert Delivery.objects.filter(notification__kind="coordination.alert").count() == 3
    notice = Notification.objects.filter(kind="coordination.alert").first()
    assert notice.subject == "Alert from Testville coordination: Arrivals tonight"
    assert notice.url == f"/coordination/alerts/{alert.pk}/"
    # The sender's own organisation knows already.
    assert alert.sent_by_organisation == world.office
    assert list(alert.acknowledgements.values_list("organisation", flat=True)) == [world.office.pk]


def test_a_member_supervisor_alerts_for_their_organisation(world):
    alert = services.alert_broadcast(
        actor=world.member_supervisor, group=world.group, title="Shelter closed", message="Fire"
    )

    assert alert.sent_by_organisation == world.cso
    assert "coordinator" in told()


def test_caseworkers_and_outsiders_cannot_alert(world):
    with pytest.raises(NotAllowed):
        services.alert_broadcast(
            actor=world.member_worker, group=world.group, title="x", message="y"
        )
    with pytest.raises(NotVisible):
        services.alert_broadcast(actor=world.outsider, group=world.group, title="x", message="y")


def test_each_organisation_acknowledges_once(world):
    alert = services.alert_broadcast(
        actor=world.coordinator, group=world.group, title="Arrivals", message="Tonight"
    )

    first = services.alert_acknowledge(alert_id=alert.pk, actor=world.member_worker)
    with pytest.raises(AlreadyDone):
        services.alert_acknowledge(alert_id=alert.pk, actor=world.member_supervisor)

    assert first.organisation == world.cso
    assert first.acknowledged_by == world.member_worker
    status = selectors.alert_status(selectors.alert_get(world.coordinator, alert.pk))
    assert [a.organisation for a in status.acknowledged] == [world.office, world.cso]
    assert status.waiting == [world.municipality]


def test_only_recipient_staff_acknowledge(world):
    alert = services.alert_broadcast(
        actor=world.coordinator, group=world.group, title="Arrivals", message="Tonight"
    )

    with pytest.raises(NotVisible):
        services.alert_acknowledge(alert_id=alert.pk, actor=world.outsider)
    with pytest.raises(NotAllowed):
        services.alert_acknowledge(
            alert_id=alert.pk, actor=world.member_worker, organisation=world.municipality
        )
    with pytest.raises(NotVisible):
        services.alert_acknowledge(alert_id=alert.pk, actor=world.former)
    assert AlertAcknowledgement.objects.count() == 1


def test_the_recipients_are_the_members_when_it_was_sent(world):
    alert = services.alert_broadcast(
        actor=world.coordinator, group=world.group, title="Arrivals", message="Tonight"
    )
    services.group_update(
        group_id=world.group.pk, actor=world.coordinator, members=[world.municipality, world.office]
    )

    status = selectors.alert_status(selectors.alert_get(world.coordinator, alert.pk))

    assert status.waiting == [world.municipality, world.cso]


def test_the_pages_show_who_has_not_acknowledged(world):
    alert = services.alert_broadcast(
        actor=world.coordinator, group=world.group, title="Arrivals", message="Tonight"
    )
    worker = browser(world.member_worker)

    before = worker.get(f"/coordination/alerts/{alert.pk}/")
    listing = worker.get("/coordination/")
    worker.post(f"/coordination/alerts/{alert.pk}/acknowledge/", {"organisation": world.cso.pk})
    after = worker.get(f"/coordination/alerts/{alert.pk}/")
    group_page = browser(world.coordinator).get(f"/coordination/groups/{world.group.pk}/")

    assert "Acknowledge for <bdi>Helping Hands</bdi>" in before.content.decode()
    assert [a.pk for a in listing.context["alerts"]] == [alert.pk]
    assert "Acknowledge for <bdi>Helping Hands</bdi>" not in after.content.decode()
    assert [o.name for o in after.context["status"].waiting] == ["City of Testville"]
    assert "2 of 3 organisations" in group_page.content.decode()
    assert "City of Testville" in group_page.content.decode()


def test_the_alert_form_sends(world):
    response = browser(world.member_supervisor).post(
        f"/coordination/groups/{world.group.pk}/alerts/new/",
        {"title": "Shelter closed", "message": "Fire in the night shelter"},
    )
    empty = browser(world.member_supervisor).post(
        f"/coordination/groups/{world.group.pk}/alerts/new/", {"title": "", "message": ""}
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/coordination/alerts/")
    assert empty.status_code == 200
    assert empty.context["form"].errors.keys() == {"title", "message"}


# The API ---------------------------------------------------------------------------------------


def test_the_api_broadcasts_lists_and_acknowledges_as_the_web_does(world):
    body = {"group": world.group.pk, "title": "Arrivals tonight", "message": "120 people"}
    assert api(world.member_worker).post("/api/v1/alerts/", body, format="json").status_code == 403
    unseen = api(world.outsider).post("/api/v1/alerts/", body, format="json")
    assert unseen.status_code == 400  # a group one does not see is no choice (as any body id)
    assert "group" in unseen.data
    assert (
        api(world.coordinator)
        .post("/api/v1/alerts/", {**body, "title": ""}, format="json")
        .status_code
        == 400
    )

    sent = api(world.coordinator).post("/api/v1/alerts/", body, format="json")

    assert sent.status_code == 201, sent.data
    assert sent.data["acknowledged_by"] == [world.office.pk]
    assert set(sent.data["waiting_for"]) == {world.municipality.pk, world.cso.pk}
    listed = api(world.member_worker).get("/api/v1/alerts/")
    assert [row["id"] for row in listed.data["results"]] == [sent.data["id"]]
    assert api(world.outsider).get("/api/v1/alerts/").data["results"] == []
    url = f"/api/v1/alerts/{sent.data['id']}/acknowledge/"
    assert api(world.outsider).post(url, {}, format="json").status_code == 404

    done = api(world.member_worker).post(url, {}, format="json")

    assert done.status_code == 201, done.data
    assert done.data["organisation"] == world.cso.pk
    assert api(world.member_supervisor).post(url, {}, format="json").status_code == 409
    after = api(world.coordinator).get(f"/api/v1/alerts/{sent.data['id']}/").data
    assert set(after["acknowledged_by"]) == {world.office.pk, world.cso.pk}
    assert after["waiting_for"] == [world.municipality.pk]
