"""The box's counts (issue 13): the open work is counted, each count stopping at a cap; the
ended referrals (most of a box, growing without end) are offered as filters without a count, so
that a page view never counts the whole box."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import remove_perm

from referrals import box_counts, selectors, services
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


# Kept between page views (referrals.box_counts) ------------------------------------------------


def _view(client) -> tuple[str, int]:
    """The page's counts, and how many count queries it ran."""
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/referrals/?box=inbox").content.decode()
    counts = re.search(r'<p class="counts">(.*?)</p>', page, re.S).group(1)
    return counts, sum("COUNT(*)" in q["sql"] for q in queries.captured_queries)


def test_the_counts_are_kept_until_a_referral_of_the_box_changes(world, client):
    arriving = world.referral(State.SUBMITTED)
    world.referral(State.SUBMITTED)
    client.force_login(world.receiver_worker)

    counts, counted = _view(client)
    assert "Submitted (2)" in counts
    assert counted == 1
    assert _view(client) == (counts, 0)  # kept: nothing counted

    services.referral_accept(referral_id=arriving.pk, actor=world.receiver_worker)

    counts, counted = _view(client)
    assert "Submitted (1)" in counts
    assert "Accepted (1)" in counts
    assert counted == 1
    # A referral of another organisation's box changes nothing here.
    world.referral(State.SUBMITTED, to=world.third)
    assert _view(client) == (counts, 0)


def test_the_counts_are_kept_per_reader(world, client):
    """Each reader's own: a colleague's view counts afresh, and a reader who sees fewer
    referrals is never shown another's counts."""
    world.referral(State.SUBMITTED)
    hidden = world.referral(State.SUBMITTED)
    supervisors = Group.objects.filter(user=world.receiver_supervisor)
    for group in Group.objects.filter(user=world.receiver_worker).exclude(pk__in=supervisors):
        remove_perm("referrals.view_referral", group, hidden)
    client.force_login(world.receiver_supervisor)
    counts, counted = _view(client)
    assert ("Submitted (2)" in counts, counted) == (True, 1)

    client.force_login(world.receiver_worker)
    counts, counted = _view(client)
    assert ("Submitted (1)" in counts, counted) == (True, 1)


def test_the_generation_moves_again_at_the_commit(world, django_capture_on_commit_callbacks):
    """Someone who counted between the change and its commit did not see it yet: what they kept
    is dropped at the commit."""
    referral = world.referral(State.SUBMITTED)
    key = box_counts._generation_key(world.receiver.pk)
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        services.referral_accept(referral_id=referral.pk, actor=world.receiver_worker)
        during = cache.get(key)
    assert during is not None
    for callback in after_commit:
        callback()
    assert cache.get(key) not in (None, during)


def test_the_counts_can_be_counted_on_every_page(world, client, settings):
    settings.BOX_COUNTS_CACHE_SECONDS = 0
    world.referral(State.SUBMITTED)
    client.force_login(world.receiver_worker)

    assert _view(client)[1] == _view(client)[1] == 1


def test_the_moderation_box_is_counted_on_every_page(world, client):
    world.referral(State.PENDING_MODERATION, actor=world.unverified_worker)
    client.force_login(world.coordinator)

    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/referrals/?box=moderation").content.decode()
        assert "(1)" in re.search(r'<p class="counts">(.*?)</p>', page, re.S).group(1)
        assert sum("COUNT(*)" in q["sql"] for q in queries.captured_queries) == 1
