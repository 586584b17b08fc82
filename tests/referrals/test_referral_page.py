"""The referral page says what matters in each state, once (issue 11): the decline form suggests
only a third organisation, the answer's deadline shows while an answer is awaited, and no two
boxes on the page carry the same label."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from notifications.models import Notification
from referrals.models import Referral, ReferralEvent, State
from referrals.notifications import event_notify

pytestmark = pytest.mark.django_db


def _page(client, user, referral) -> str:
    client.force_login(user)
    response = client.get(f"/referrals/{referral.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_decline_form_suggests_neither_the_receiver_nor_the_sender(world, client):
    referral = world.referral(State.ACKNOWLEDGED)

    page = _page(client, world.receiver_worker, referral)

    select = re.search(r'<select name="suggested_organisation".*?</select>', page, re.S)
    assert select
    offered = {int(v) for v in re.findall(r'<option value="(\d+)"', select.group(0))}
    assert world.third.pk in offered
    assert world.receiver.pk not in offered
    assert world.sender.pk not in offered


@pytest.mark.parametrize(
    ("state", "shown"),
    [
        (State.SUBMITTED, True),
        (State.ACKNOWLEDGED, True),
        (State.ACCEPTED, False),
        (State.COMPLETED, False),
        (State.DECLINED, False),
    ],
)
def test_the_answer_due_date_shows_only_while_an_answer_is_awaited(world, client, state, shown):
    referral = world.referral(state)

    page = _page(client, world.sender_worker, referral)

    assert ("Answer due" in page) is shown


@pytest.mark.parametrize("state", [State.ACKNOWLEDGED, State.ACCEPTED, State.IN_PROGRESS])
def test_no_two_boxes_on_the_page_share_a_label(world, client, state):
    referral = world.referral(state)
    supervisor_page = _page(client, world.receiver_supervisor, referral)

    labels = re.findall(r"<label[^>]*>([^<]+)</label>", supervisor_page)
    repeated = [label for label, n in Counter(labels).items() if n > 1]
    assert not repeated, repeated


def test_a_notice_ending_on_a_time_has_one_full_stop(world):

    referral = world.referral(State.SUBMITTED)
    for event in ReferralEvent.objects.filter(referral=referral):
        event_notify(event_id=event.pk)

    bodies = list(Notification.objects.values_list("body", flat=True))
    assert bodies
    assert not [body for body in bodies if ".." in body]
    assert not [body for body in bodies if "p.m" in body or "a.m" in body]


def test_a_decline_that_needs_correcting_comes_back_as_it_was_typed(world, client):
    referral = world.referral(State.ACKNOWLEDGED)
    client.force_login(world.receiver_worker)

    response = client.post(
        f"/referrals/{referral.pk}/decline/",
        {"reason": "no_capacity", "note": "", "suggested_organisation": world.third.pk},
    )

    assert response.status_code == 200  # the page again, not a redirect that forgets
    assert Referral.objects.get(pk=referral.pk).state == State.ACKNOWLEDGED
    page = response.content.decode()
    assert re.search(r'<option value="no_capacity" selected>', page)
    assert re.search(rf'<option value="{world.third.pk}" selected>', page)
    assert 'id="decline_note_error"' in page
    assert re.search(r'<textarea[^>]*aria-describedby="decline_note_error"', page)


def test_an_outcome_without_its_note_keeps_the_outcome_chosen(world, client):
    referral = world.referral(State.ACCEPTED)
    client.force_login(world.receiver_worker)

    response = client.post(
        f"/referrals/{referral.pk}/complete/", {"outcome": "provided", "note": "  "}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<option value="provided" selected>', page)
    assert 'id="complete_note_error"' in page


def test_the_forms_of_one_page_have_ids_of_their_own(world, client):
    page = _page(client, world.receiver_supervisor, world.referral(State.ACKNOWLEDGED))

    ids = re.findall(r'\sid="([^"]+)"', page)
    assert not [i for i, n in Counter(ids).items() if n > 1]
