"""The box's counts (issue 13): the open work is counted, each count stopping at a cap; the
ended referrals (most of a box, growing without end) are offered as filters without a count, so
that a page view never counts the whole box."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from referrals import selectors
from referrals.models import OPEN_STATES, Referral, State

pytestmark = pytest.mark.django_db


def test_open_states_are_counted_and_ended_ones_only_offered(world, client):
    for state in (State.SUBMITTED, State.SUBMITTED, State.ACCEPTED, State.COMPLETED):
        world.referral(state)
    client.force_login(world.receiver_worker)

    with CaptureQueriesContext(connection) as queries:
        page = client.get("/referrals/?box=inbox").content.decode()

    counts = re.search(r'<p class="counts">(.*?)</p>', page, re.S).group(1)
    assert "Submitted (2)" in counts
    assert "Accepted (1)" in counts
    assert re.search(r'state=completed">Completed</a>', counts)
    assert "Completed (" not in counts
    # One query counts the open states only, each count stopping after the cap.
    (counting,) = [q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
    assert "'submitted'" in counting
    assert "'completed'" not in counting
    assert counting.count(f"LIMIT {selectors.COUNT_CAP + 1}") == len(OPEN_STATES)
    assert "GROUP BY" not in counting


def test_a_count_above_the_cap_says_so(world, client, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    for state in [State.SUBMITTED] * 4 + [State.ACCEPTED] * 2 + [State.IN_PROGRESS]:
        world.referral(state)
    client.force_login(world.receiver_worker)

    page = client.get("/referrals/?box=inbox").content.decode()

    counts = re.search(r'<p class="counts">(.*?)</p>', page, re.S).group(1)
    assert "Submitted (2+)" in counts
    assert "Accepted (2)" in counts
    assert "In progress (1)" in counts


def test_the_counts_are_the_visible_ones(world):
    """Counted through the same permission probe as the list: what the box shows, no more."""
    for state in (State.SUBMITTED, State.ACCEPTED, State.ACCEPTED):
        world.referral(state)
    box = selectors.referral_list(user=world.receiver_worker, box=selectors.INBOX)
    expected = {}
    for referral in box:
        expected[referral.state] = expected.get(referral.state, 0) + 1

    assert selectors.state_counts(box, OPEN_STATES) == expected
    assert selectors.state_counts(box, []) == {}
    assert selectors.state_counts(Referral.objects.none(), OPEN_STATES) == {}
    stranger = selectors.referral_list(user=world.third_worker, box=selectors.INBOX)
    assert selectors.state_counts(stranger, OPEN_STATES) == {}


def test_the_planner_is_left_as_it_was_after_counting(world):
    """The counts steer PostgreSQL's planner for their own statement, not for the rest of a
    longer transaction."""
    world.referral(State.SUBMITTED)
    box = selectors.referral_list(user=world.receiver_worker, box=selectors.INBOX)
    with transaction.atomic():
        assert selectors.state_counts(box, OPEN_STATES) == {State.SUBMITTED: 1}
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW enable_hashjoin")
                assert cursor.fetchone() == ("on",)
                cursor.execute("SHOW enable_mergejoin")
                assert cursor.fetchone() == ("on",)
