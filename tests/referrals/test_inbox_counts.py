"""The box's counts (issue 13): the open work is counted, the ended referrals (most of a box,
growing without end) are offered as filters without a count, so that a page view never counts
the whole box."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.models import State

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
    # The one grouped count reads the open states only.
    (grouped,) = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"]]
    assert "'submitted'" in grouped
    assert "'completed'" not in grouped
