"""A coordinator's work on meetings through the API, as on the web: change or cancel the
meeting; cancel, move or reinstate one sitting; the agenda, attendance, minutes and decisions.
Members read and propose; outsiders see nothing (404); nothing is half-written."""

from __future__ import annotations

import datetime

import pytest

from coordination.models import AgendaItem, AgendaStatus, Decision, Meeting, MeetingStatus
from tests.coordination.conftest import api

FIRST = "20260303T090000Z"  # Tuesday 3 March 2026, 10:00 in Tunis
SECOND = "20260407T090000Z"  # the first Tuesday of April (09:00 UTC: Tunis keeps UTC+1)


def sitting_url(meeting: Meeting, stamp: str, what: str) -> str:
    return f"/api/v1/meetings/{meeting.pk}/sittings/{stamp}/{what}/"


def test_a_coordinator_changes_and_cancels_a_meeting(world):
    meeting = world.meeting()
    url = f"/api/v1/meetings/{meeting.pk}/"
    assert api(world.member_worker).patch(url, {"place": "Port"}, format="json").status_code == 403
    assert api(world.outsider).patch(url, {"place": "Port"}, format="json").status_code == 404

    changed = api(world.coordinator).patch(url, {"place": "Port", "title": "Port"}, format="json")

    assert changed.status_code == 200, changed.data
    assert (changed.data["place"], changed.data["title"]) == ("Port", "Port")
    bad = api(world.coordinator).patch(url, {"rrule": "FREQ=SOMETIMES"}, format="json")
    assert bad.status_code == 400
    assert "rrule" in bad.data
    cancelled = api(world.coordinator).post(f"{url}cancel/", {"note": "No quorum"}, format="json")
    assert cancelled.status_code == 200, cancelled.data
    meeting.refresh_from_db()
    assert (meeting.status, meeting.place) == (MeetingStatus.CANCELLED, "Port")
    assert api(world.coordinator).post(f"{url}cancel/", {}, format="json").status_code == 409


def test_one_sitting_is_cancelled_reinstated_and_moved(world):
    meeting = world.meeting()
    coordinator = api(world.coordinator)

    assert api(world.member_worker).post(sitting_url(meeting, SECOND, "cancel")).status_code == 403
    cancelled = coordinator.post(sitting_url(meeting, SECOND, "cancel"), {"note": "Holiday"})
    assert cancelled.status_code == 200, cancelled.data
    assert cancelled.data["status"] == MeetingStatus.CANCELLED
    assert coordinator.post(sitting_url(meeting, SECOND, "cancel")).status_code == 409
    back = coordinator.post(sitting_url(meeting, SECOND, "reinstate"))
    assert back.status_code == 200
    assert back.data["status"] == MeetingStatus.SCHEDULED

    moved = coordinator.post(
        sitting_url(meeting, SECOND, "move"), {"start": "2026-04-08T14:00"}, format="json"
    )

    assert moved.status_code == 200, moved.data
    assert moved.data["starts_at"].startswith("2026-04-08T14:00")
    assert moved.data["original_start"] == "2026-04-07T09:00:00Z"
    not_one = sitting_url(meeting, "20260408T090000Z", "cancel")
    assert coordinator.post(not_one).status_code == 404  # no sitting at that time
    assert coordinator.post(sitting_url(meeting, "2026", "cancel")).status_code == 404


def test_members_propose_and_the_coordinator_decides(world):
    meeting = world.meeting()
    url = sitting_url(meeting, FIRST, "agenda")

    proposed = api(world.member_worker).post(url, {"title": "Winter beds"}, format="json")

    assert proposed.status_code == 201, proposed.data
    assert proposed.data["status"] == AgendaStatus.PROPOSED
    assert api(world.outsider).post(url, {"title": "Mine"}, format="json").status_code == 404
    assert api(world.member_worker).post(url, {"title": ""}, format="json").status_code == 400
    decide = f"/api/v1/agenda-items/{proposed.data['id']}/decide/"
    assert api(world.member_worker).post(decide, {"accept": True}).status_code == 403
    accepted = api(world.coordinator).post(decide, {"accept": True}, format="json")
    assert accepted.status_code == 200, accepted.data
    assert AgendaItem.objects.get(pk=proposed.data["id"]).status == AgendaStatus.ACCEPTED
    own = api(world.coordinator).post(url, {"title": "Opening"}, format="json").data
    assert own["status"] == AgendaStatus.ACCEPTED  # a coordinator's item goes straight on
    move = f"/api/v1/agenda-items/{own['id']}/move/"
    assert api(world.member_worker).post(move, {"offset": -1}, format="json").status_code == 403
    assert api(world.coordinator).post(move, {"offset": 5}, format="json").status_code == 400
    moved = api(world.coordinator).post(move, {"offset": -1}, format="json")
    assert moved.status_code == 200, moved.data
    order = AgendaItem.objects.filter(status=AgendaStatus.ACCEPTED).order_by("position")
    assert list(order.values_list("title", flat=True)) == ["Opening", "Winter beds"]


def test_attendance_minutes_and_decisions_of_a_held_sitting(world, at):
    meeting = world.meeting()
    coordinator = api(world.coordinator)
    attendance = sitting_url(meeting, FIRST, "attendance")
    present = {"present": [world.cso.pk]}

    early = coordinator.post(attendance, present, format="json")
    assert early.status_code == 409  # before the meeting started
    with at(datetime.datetime(2026, 3, 3, 11, 0, tzinfo=datetime.UTC)):
        assert api(world.member_worker).post(attendance, present, format="json").status_code == 403
        outsider = coordinator.post(attendance, {"present": [world.outside.pk]}, format="json")
        assert outsider.status_code == 400
        held = coordinator.post(attendance, present, format="json")
        assert held.status_code == 200, held.data
        assert held.data["status"] == MeetingStatus.HELD

        minutes = coordinator.put(
            sitting_url(meeting, FIRST, "minutes"), {"minutes": "# Beds\nSix more."}, format="json"
        )
        assert minutes.status_code == 200, minutes.data
        assert minutes.data["minutes"] == "# Beds\nSix more."
        decided = coordinator.post(
            sitting_url(meeting, FIRST, "decisions"), {"text": "Open the gym"}, format="json"
        )
        assert decided.status_code == 201, decided.data
        assert (
            coordinator.post(
                sitting_url(meeting, FIRST, "decisions"), {"text": " "}, format="json"
            ).status_code
            == 400
        )
        assert (
            api(world.member_worker)
            .post(sitting_url(meeting, FIRST, "decisions"), {"text": "Mine"}, format="json")
            .status_code
            == 403
        )
    assert list(Decision.objects.values_list("text", flat=True)) == ["Open the gym"]
    read = api(world.member_worker).get(f"/api/v1/meetings/{meeting.pk}/sittings/{FIRST}/")
    assert read.status_code == 200, read.data
    assert read.data["status"] == MeetingStatus.HELD
    assert read.data["minutes"]["minutes"] == "# Beds\nSix more."
    assert [d["text"] for d in read.data["decisions"]] == ["Open the gym"]
    present = {a["organisation"]: a["present"] for a in read.data["attendance"]}
    assert present[world.cso.pk] is True
    assert present[world.office.pk] is False
    sitting = f"/api/v1/meetings/{meeting.pk}/sittings/{FIRST}/"
    assert api(world.outsider).get(sitting).status_code == 404
    assert api(world.member_worker).get(sitting.replace(FIRST, SECOND)).data["minutes"] == {
        "minutes": "",
        "updated_at": None,
    }
    wrong = sitting.replace(FIRST, "20260303T090500Z")
    assert api(world.member_worker).get(wrong).status_code == 404


@pytest.mark.parametrize(
    "what", ["cancel", "reinstate", "move", "agenda", "attendance", "decisions"]
)
def test_a_meeting_one_cannot_see_is_missing_whatever_the_body(world, what):
    meeting = world.meeting(group=world.other_group, actor=world.other_group.coordinators.get())

    response = api(world.coordinator).post(sitting_url(meeting, FIRST, what), "x", format="json")

    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["coordinator", "member_worker", "muni_worker", "outsider"])
@pytest.mark.parametrize("when", ["before", "after_start", "cancelled"])
def test_the_page_offers_the_agenda_form_to_exactly_who_may_propose(world, at, persona, when):
    """One rule (``may_propose``) for the page's form and the service's answer."""
    from config.errors import ServiceError
    from coordination import schedule, services

    meeting = world.meeting()
    original = datetime.datetime(2026, 3, 3, 9, 0, tzinfo=datetime.UTC)
    if when == "cancelled":
        services.sitting_cancel(
            meeting_id=meeting.pk, original_start=original, actor=world.coordinator
        )
    moment = datetime.datetime(2026, 3, 3, 9, 30, tzinfo=datetime.UTC)
    with at(
        moment if when == "after_start" else datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)
    ):
        actor = getattr(world, persona)
        sitting = schedule.sitting_at(Meeting.objects.get(pk=meeting.pk), original)
        offered = services.may_propose(actor, world.group, sitting)
        try:
            services.agenda_propose(
                meeting_id=meeting.pk, original_start=original, actor=actor, title="Item"
            )
        except ServiceError:
            accepted = False
        else:
            accepted = True
    assert offered == accepted
