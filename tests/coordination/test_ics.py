"""The .ics of a meeting, parsed back with ``icalendar`` and expanded with dateutil: the series
(RRULE), its cancelled sittings (EXDATE), moved ones (RECURRENCE-ID), sittings kept from an
earlier schedule (RDATE), and the time zone (TZID and a VTIMEZONE)."""

from __future__ import annotations

import datetime
import zoneinfo

from dateutil.rrule import rrulestr
from icalendar import Calendar

from coordination import ics, schedule, services
from coordination.models import Meeting
from tests.coordination.conftest import api, browser

UTC = datetime.UTC
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def parse(content: bytes) -> Calendar:
    return Calendar.from_ical(content)


def events(calendar: Calendar) -> tuple:
    master = [e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" not in e]
    overrides = [e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" in e]
    return master, overrides


def paris_series(world) -> Meeting:
    """Weekly on Monday 10:00 Paris from 16 March 2026, across the change to summer time."""
    return world.meeting(
        title="Paris partners",
        start=datetime.datetime(2026, 3, 16, 10, 0),  # noqa: DTZ001
        time_zone="Europe/Paris",
        rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=6",
        place="Mairie",
    )


def monday(day: int, month: int = 3) -> datetime.datetime:
    return datetime.datetime(2026, month, day, 10, 0, tzinfo=PARIS)


def test_a_series_with_a_cancelled_and_a_moved_sitting(world):
    meeting = paris_series(world)
    services.sitting_cancel(
        meeting_id=meeting.pk, original_start=monday(23), actor=world.coordinator
    )
    services.sitting_move(
        meeting_id=meeting.pk,
        original_start=monday(30),
        actor=world.coordinator,
        start=datetime.datetime(2026, 3, 31, 15, 0),  # noqa: DTZ001
        place="Préfecture",
    )
    meeting.refresh_from_db()

    calendar = parse(ics.calendar([meeting], name="Test"))

    [master], [moved] = events(calendar)
    assert str(master["UID"]) == moved["UID"] == meeting.uid
    assert master["DTSTART"].params["TZID"] == "Europe/Paris"
    assert master.start == monday(16)
    assert master.end == monday(16) + datetime.timedelta(hours=2)
    assert master["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=6;BYDAY=MO"
    assert master.exdates == [monday(23)]
    assert master["EXDATE"].params["TZID"] == "Europe/Paris"
    assert int(master["SEQUENCE"]) == 2  # two changes since scheduling
    assert str(master["LOCATION"]) == "Mairie"
    assert moved["RECURRENCE-ID"].dt == monday(30)
    assert moved["RECURRENCE-ID"].params["TZID"] == "Europe/Paris"
    assert moved.start == datetime.datetime(2026, 3, 31, 15, 0, tzinfo=PARIS)
    assert str(moved["LOCATION"]) == "Préfecture"
    # The VTIMEZONE the TZIDs refer to is there, with both offsets of the year.
    [zone] = calendar.timezones
    assert zone.tz_name == "Europe/Paris"
    assert calendar.get_missing_tzids() == set()
    offsets = {sub["TZOFFSETTO"].td for sub in zone.walk() if "TZOFFSETTO" in sub}
    assert {datetime.timedelta(hours=1), datetime.timedelta(hours=2)} <= offsets


def test_a_calendar_application_expands_the_series_as_we_do(world):
    meeting = paris_series(world)
    services.sitting_cancel(
        meeting_id=meeting.pk, original_start=monday(23), actor=world.coordinator
    )
    services.sitting_move(
        meeting_id=meeting.pk,
        original_start=monday(6, 4),
        actor=world.coordinator,
        start=datetime.datetime(2026, 4, 7, 9, 0),  # noqa: DTZ001
    )
    meeting.refresh_from_db()
    [master], overrides = events(parse(ics.calendar([meeting], name="Test")))

    # What a client does: the RRULE from DTSTART, minus EXDATE, with RECURRENCE-ID replaced.
    rule = rrulestr(master["RRULE"].to_ical().decode(), dtstart=master.start)
    replaced = {o["RECURRENCE-ID"].dt: o.start for o in overrides}
    theirs = [replaced.get(start, start) for start in rule if start not in master.exdates]
    ours = [
        s.starts_at
        for s in schedule.sittings(
            meeting,
            start=datetime.datetime(2026, 3, 1, tzinfo=UTC),
            end=datetime.datetime(2026, 6, 1, tzinfo=UTC),
            include_cancelled=False,
        )
    ]

    assert [t.astimezone(UTC) for t in theirs] == [o.astimezone(UTC) for o in ours]
    # 10:00 on the wall before and after the change to summer time (29 March).
    assert [t.astimezone(UTC).hour for t in theirs] == [9, 8, 7, 8, 8]


def test_a_sitting_kept_from_an_earlier_schedule_is_an_rdate(world, at):
    meeting = world.meeting()  # first Tuesday, Tunis
    may = datetime.datetime(2026, 5, 5, 9, 0, tzinfo=UTC)
    services.agenda_propose(
        meeting_id=meeting.pk, original_start=may, actor=world.member_worker, title="Shelter"
    )
    services.meeting_update(
        meeting_id=meeting.pk,
        actor=world.coordinator,
        start=datetime.datetime(2026, 3, 4, 10, 0),  # noqa: DTZ001
        rrule="FREQ=MONTHLY;BYDAY=1WE",
    )
    meeting.refresh_from_db()

    [master], overrides = events(parse(ics.calendar([meeting], name="Test")))

    assert [d.astimezone(UTC) for d, _tzid in master.rdates] == [may]
    assert master["RDATE"].params["TZID"] == "Africa/Tunis"
    assert overrides == []


def test_a_single_meeting_has_no_rule_and_a_cancelled_one_says_so(world):
    meeting = world.meeting(rrule="", title="Emergency meeting")
    services.meeting_cancel(meeting_id=meeting.pk, actor=world.coordinator)
    meeting.refresh_from_db()

    [master], overrides = events(parse(ics.calendar([meeting], name="Test")))

    assert "RRULE" not in master
    assert overrides == []
    assert str(master["STATUS"]) == "CANCELLED"
    assert master.start == datetime.datetime(
        2026, 3, 3, 10, 0, tzinfo=zoneinfo.ZoneInfo("Africa/Tunis")
    )
    assert master["DTSTART"].params["TZID"] == "Africa/Tunis"


def test_the_api_and_the_page_serve_the_ics(world):
    meeting = world.meeting()

    response = api(world.member_worker).get(f"/api/v1/meetings/{meeting.pk}/ics/")
    page = browser(world.member_worker).get(f"/coordination/meetings/{meeting.pk}/meeting.ics")
    asked = api(world.member_worker).get(
        f"/api/v1/meetings/{meeting.pk}/ics/", HTTP_ACCEPT="text/calendar"
    )

    for answer in (response, page, asked):
        assert answer.status_code == 200
        assert answer["Content-Type"] == "text/calendar; charset=utf-8"
        [master], _ = events(parse(answer.content))
        assert str(master["SUMMARY"]) == "Monthly coordination"
        assert master["RRULE"].to_ical() == b"FREQ=MONTHLY;BYDAY=1TU"


def test_the_ics_of_an_invisible_meeting_is_not_found(world):
    meeting = world.meeting()

    assert api(world.outsider).get(f"/api/v1/meetings/{meeting.pk}/ics/").status_code == 404
    assert api(world.outsider).get("/api/v1/meetings/999999/ics/").status_code == 404
    assert api(world.outsider).get("/api/v1/meetings/nope/ics/").status_code == 404
    assert (
        browser(world.outsider).get(f"/coordination/meetings/{meeting.pk}/meeting.ics").status_code
        == 404
    )


def test_a_title_with_a_line_break_still_gives_every_calendar_file(world):
    """It once broke the per-meeting file for every member (issue 10): titles are one line,
    and whatever a title holds, the files are built."""
    meeting = world.meeting(title="Monthly\r\ncoordination\nSfax")
    assert meeting.title == "Monthly coordination Sfax"
    Meeting.objects.filter(pk=meeting.pk).update(title="Written\nbefore the fix")
    for client, url in (
        (browser(world.member_worker), f"/coordination/meetings/{meeting.pk}/meeting.ics"),
        (api(world.member_worker), f"/api/v1/meetings/{meeting.pk}/ics/"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "\n" not in response["Content-Disposition"]
        assert parse(response.content).get("x-wr-calname") == "Written before the fix"


def test_two_installations_never_share_a_uid(world, settings):
    """RFC 5545 wants UIDs globally unique: the site's host is in them."""
    meeting = world.meeting()
    settings.SITE_URL = "https://relais.sfax.example"
    sfax = meeting.uid
    settings.SITE_URL = "https://relais.nador.example:8443/"
    nador = meeting.uid
    assert sfax == f"meeting-{meeting.pk}@relais.sfax.example"
    assert nador == f"meeting-{meeting.pk}@relais.nador.example"
    uids = {str(e["UID"]) for e in parse(ics.calendar([meeting], name="x")).walk("VEVENT")}
    assert uids == {nador}
