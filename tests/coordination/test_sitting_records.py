"""What is recorded for a sitting: the agenda (members propose, coordinators accept and order),
attendance, minutes (Markdown rendered safely) and decisions."""

from __future__ import annotations

import datetime

import pytest

from coordination import selectors, services
from coordination.exceptions import AlreadyDone, Conflict, NotAllowed, NotVisible, ValidationFailed
from coordination.models import AgendaItem, Attendance, MeetingStatus
from coordination.rendering import render_markdown
from notifications.models import Notification
from tests.coordination.conftest import browser, written

UTC = datetime.UTC
MARCH_3 = datetime.datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
DURING = MARCH_3 + datetime.timedelta(minutes=30)


def propose(world, meeting, actor, title: str) -> AgendaItem:
    return services.agenda_propose(
        meeting_id=meeting.pk, original_start=MARCH_3, actor=actor, title=title
    )


def agenda(meeting) -> list[tuple[str, str]]:
    page = selectors.sitting_page(services.sitting_get(meeting, MARCH_3))
    return [(i.title, i.status) for i in page.accepted + page.proposed + page.declined]


def test_members_propose_and_coordinators_accept_decline_and_order(world):
    meeting = world.meeting()
    food = propose(world, meeting, world.member_worker, "Food distribution")
    health = propose(world, meeting, world.muni_worker, "Health desk")
    port = propose(world, meeting, world.coordinator, "Arrivals at the port")

    assert (food.status, food.proposed_by_organisation) == ("proposed", world.cso)
    assert (port.status, port.position) == ("accepted", 1)  # a coordinator's item goes on
    services.agenda_decide(item_id=food.pk, actor=world.coordinator, accept=True)
    services.agenda_decide(item_id=health.pk, actor=world.coordinator, accept=False)
    services.agenda_move(item_id=food.pk, actor=world.coordinator, offset=-1)

    assert agenda(meeting) == [
        ("Food distribution", "accepted"),
        ("Arrivals at the port", "accepted"),
        ("Health desk", "declined"),
    ]
    written()
    notice = Notification.objects.get(kind="coordination.agenda")
    assert notice.recipient == world.member_worker
    assert notice.url == f"/coordination/meetings/{meeting.pk}/20260303T090000Z/"
    with pytest.raises(AlreadyDone):
        services.agenda_decide(item_id=food.pk, actor=world.coordinator, accept=False)


def test_only_coordinators_decide_and_outsiders_see_nothing(world):
    meeting = world.meeting()
    item = propose(world, meeting, world.member_worker, "Food")

    with pytest.raises(NotAllowed):
        services.agenda_decide(item_id=item.pk, actor=world.member_supervisor, accept=True)
    with pytest.raises(NotVisible):
        services.agenda_decide(item_id=item.pk, actor=world.outsider, accept=True)
    with pytest.raises(NotVisible):
        propose(world, meeting, world.outsider, "Mine")
    with pytest.raises(NotVisible):
        propose(world, meeting, world.former, "Mine")


def test_members_propose_before_the_meeting_only(world, at):
    meeting = world.meeting()

    with at(DURING):
        with pytest.raises(Conflict):
            propose(world, meeting, world.member_worker, "Late")
        added = propose(world, meeting, world.coordinator, "Any other business")

    assert added.status == "accepted"


def test_nothing_is_proposed_for_a_cancelled_sitting(world):
    meeting = world.meeting()
    services.sitting_cancel(meeting_id=meeting.pk, original_start=MARCH_3, actor=world.coordinator)

    with pytest.raises(Conflict):
        propose(world, meeting, world.member_worker, "Food")


def test_attendance_is_recorded_once_the_meeting_started_and_marks_it_held(world, at):
    meeting = world.meeting(invited_organisations=[world.cso, world.office])

    with pytest.raises(Conflict):
        services.attendance_record(
            meeting_id=meeting.pk, original_start=MARCH_3, actor=world.coordinator, present=[]
        )
    with at(DURING):
        sitting = services.attendance_record(
            meeting_id=meeting.pk,
            original_start=MARCH_3,
            actor=world.coordinator,
            present=[world.cso, world.municipality],  # the municipality came uninvited
        )
        again = services.attendance_record(
            meeting_id=meeting.pk,
            original_start=MARCH_3,
            actor=world.coordinator,
            present=[world.cso, world.office],
        )

    assert sitting.status == MeetingStatus.HELD
    records = {a.organisation.name: a.present for a in Attendance.objects.all()}
    assert records == {"Helping Hands": True, "Migration Office": True}
    assert again.row.attendance.count() == 2
    with pytest.raises(ValidationFailed), at(DURING):
        services.attendance_record(
            meeting_id=meeting.pk,
            original_start=MARCH_3,
            actor=world.coordinator,
            present=[world.outside],
        )
    with pytest.raises(NotAllowed), at(DURING):
        services.attendance_record(
            meeting_id=meeting.pk, original_start=MARCH_3, actor=world.member_worker, present=[]
        )


def test_a_single_meeting_held_is_held(world, at):
    meeting = world.meeting(rrule="")

    with at(DURING):
        services.attendance_record(
            meeting_id=meeting.pk, original_start=MARCH_3, actor=world.coordinator, present=[]
        )

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD


def test_minutes_and_decisions(world):
    meeting = world.meeting()

    services.minutes_save(
        meeting_id=meeting.pk,
        original_start=MARCH_3,
        actor=world.coordinator,
        minutes="## Situation\n\n- **More** arrivals",
    )
    services.decision_record(
        meeting_id=meeting.pk, original_start=MARCH_3, actor=world.coordinator, text="Agreed"
    )
    page = browser(world.member_worker).get(f"/coordination/meetings/{meeting.pk}/")

    html = page.content.decode()
    assert "<h2>Situation</h2>" in html
    assert "<strong>More</strong>" in html
    assert "Agreed" in html
    with pytest.raises(ValidationFailed):
        services.decision_record(
            meeting_id=meeting.pk, original_start=MARCH_3, actor=world.coordinator, text=" "
        )
    with pytest.raises(NotAllowed):
        services.minutes_save(
            meeting_id=meeting.pk, original_start=MARCH_3, actor=world.member_worker, minutes="x"
        )


@pytest.mark.parametrize(
    ("text", "absent", "present"),
    [
        ("<script>alert(1)</script>hello", "<script", "hello"),
        ('<img src="https://evil.example/x.png" onerror="alert(1)">', "<img", ""),
        ("[click](javascript:alert(1))", "javascript:", "click"),
        ('<a href="https://example.org" onclick="x()">ok</a>', "onclick", 'rel="noopener'),
        ('<p style="color:red">styled</p>', "style=", "styled"),
        ("<iframe src='https://evil.example'></iframe>", "<iframe", ""),
    ],
)
def test_minutes_are_sanitised(text, absent, present):
    html = str(render_markdown(text))

    assert absent not in html
    assert present in html


def test_the_minutes_page_saves(world):
    meeting = world.meeting()
    client = browser(world.coordinator)
    url = f"/coordination/meetings/{meeting.pk}/20260303T090000Z/minutes/"

    form = client.get(url)
    saved = client.post(url, {"minutes": "# Notes"})

    assert form.status_code == 200
    assert saved.status_code == 302
    assert services.sitting_get(meeting, MARCH_3).row.minutes == "# Notes"


def test_the_meeting_page_offers_what_the_persona_may_do(world):
    meeting = world.meeting()
    url = f"/coordination/meetings/{meeting.pk}/"

    coordinator = browser(world.coordinator).get(url).content.decode()
    worker = browser(world.member_worker).get(url).content.decode()

    assert "Write the minutes" in coordinator
    assert "Cancel this meeting only" in coordinator
    assert "Propose an item" in worker
    assert "Write the minutes" not in worker
    assert "Cancel this meeting only" not in worker
