"""A form sent from a sitting's page that needs correcting comes back as it was typed, with the
error on its field (issue 11: the action-item form lost everything typed); the person list of an
action item says where each person works."""

from __future__ import annotations

import datetime
import re

import pytest

from coordination.models import ActionItem, Decision
from tests.coordination.conftest import browser
from tests.factories import member

pytestmark = pytest.mark.django_db


def _sitting_url(meeting) -> str:
    stamp = meeting.first_start.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"/coordination/meetings/{meeting.pk}/{stamp}/"


def test_a_wrong_action_item_comes_back_with_what_was_typed_and_the_error_on_its_field(world):
    meeting = world.meeting()
    details = "Call every shelter & report the free beds"

    response = browser(world.coordinator).post(
        _sitting_url(meeting) + "actions/",
        {
            "title": "Count the beds",
            "description": details,
            "owner_organisation": world.cso.pk,
            "due_on": "not a date",
        },
    )

    assert response.status_code == 200
    assert not ActionItem.objects.exists()
    page = response.content.decode()
    assert 'value="Count the beds"' in page
    assert "Call every shelter &amp; report the free beds" in page
    assert re.search(rf'<option value="{world.cso.pk}" selected>', page)
    # The error is the field's: named by it, and the field points at it.
    assert 'id="action_due_on_error"' in page
    assert re.search(r'<input[^>]*name="due_on"[^>]*aria-invalid="true"', page)
    assert re.search(r'<input[^>]*name="due_on"[^>]*aria-describedby="action_due_on_error"', page)
    assert '<details class="card" open>' in page  # the form is open, not folded away


def test_a_wrong_decision_comes_back_on_the_page_with_its_error(world):
    meeting = world.meeting()

    response = browser(world.coordinator).post(_sitting_url(meeting) + "decisions/", {"text": ""})

    assert response.status_code == 200
    assert not Decision.objects.exists()
    assert 'id="decision_text_error"' in response.content.decode()


def test_a_good_action_item_still_goes_back_to_the_sitting(world):
    meeting = world.meeting()

    response = browser(world.coordinator).post(
        _sitting_url(meeting) + "actions/",
        {"title": "Count the beds", "owner_organisation": world.cso.pk, "due_on": "2026-03-20"},
    )

    assert response.status_code == 302
    assert response.url == _sitting_url(meeting)
    assert ActionItem.objects.get().title == "Count the beds"


def test_the_person_list_is_grouped_by_organisation(world):
    meeting = world.meeting()
    # Two people with the same name in two member organisations.
    first = member(
        world.cso, "caseworker", username="a.salem", first_name="Amal", last_name="Salem"
    )
    second = member(
        world.office, "caseworker", username="a.salem2", first_name="Amal", last_name="Salem"
    )

    page = browser(world.coordinator).get(_sitting_url(meeting)).content.decode()

    select = re.search(r'<select name="owner_user".*?</select>', page, re.S).group(0)
    groups = dict(re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S))
    assert f'value="{first.pk}"' in groups["Helping Hands"]
    assert f'value="{second.pk}"' in groups["Migration Office"]
    assert f'value="{second.pk}"' not in groups["Helping Hands"]
    assert f'value="{world.outsider.pk}"' not in select  # not a member's staff
