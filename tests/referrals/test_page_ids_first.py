"""Pages of the boxes are read ids first, then their rows by key (issue 13).

With the permission ``EXISTS`` and the page's joins in one query, PostgreSQL misjudged how many
rows pass and joined and sorted a whole box before cutting the page; the ids alone stop at the
page's end. These tests pin the two reads' shape and that the pages are the same rows.
"""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.pagination import ids_first
from referrals import selectors
from referrals.models import Referral
from tests.referrals.conftest import client_for
from tests.referrals.test_query_counts import add_referrals


def _joins_nothing(sql: str) -> bool:
    return '"organisations_organisation"' not in sql and '"referrals_case"' not in sql


def _referral_queries(captured) -> list[str]:
    table = Referral._meta.db_table
    return [q["sql"] for q in captured.captured_queries if f'FROM "{table}"' in q["sql"]]


def test_a_page_reads_the_ids_alone_then_the_rows_by_key(world):
    add_referrals(world, world.case(), 7)
    box = selectors.referral_list(user=world.receiver_worker, box=selectors.INBOX)
    with CaptureQueriesContext(connection) as captured:
        rows, next_cursor = selectors.keyset_page(box, before=None, size=3)
    first, second = _referral_queries(captured)
    # The ids: no join, no other column, the permission probe and the page's limit.
    assert first.split(" FROM ")[0] == f'SELECT "{Referral._meta.db_table}"."id" AS "pk"'
    assert _joins_nothing(first)
    assert "EXISTS" in first
    assert first.endswith("LIMIT 4")
    # The rows: joined, by key alone (the first read decided what shows: repeating its probes
    # cost more to plan than the read), no limit to misjudge.
    assert not _joins_nothing(second)
    assert '"id" IN (' in second
    assert "EXISTS" not in second
    assert not second.endswith("LIMIT 4")
    assert "ORDER BY" not in second  # put in the ids' order in Python: no sort, no compiling
    expected = list(box[:4])
    assert [r.pk for r in rows] == [r.pk for r in expected[:3]]
    assert next_cursor == expected[2].pk
    # The joined rows came with the page: reading them costs nothing more.
    with CaptureQueriesContext(connection) as after:
        [(r.to_organisation.name, r.case.reference) for r in rows]
    assert len(after) == 0


def test_every_page_of_a_box_holds_the_same_rows_as_one_plain_read(world):
    add_referrals(world, world.case(), 11)
    for user in (world.receiver_worker, world.sender_worker, world.receiver_supervisor):
        box = selectors.referral_list(user=user)
        plain = [r.pk for r in box]
        paged, cursor = [], None
        while True:
            rows, cursor = selectors.keyset_page(box, before=cursor, size=4)
            paged += [r.pk for r in rows]
            if cursor is None:
                break
        assert paged == plain
        assert plain


def test_counts_and_whole_reads_stay_one_query(world):
    add_referrals(world, world.case(), 3)
    box = ids_first(selectors.referral_list(user=world.receiver_worker, box=selectors.INBOX))
    with CaptureQueriesContext(connection) as captured:
        assert box.count() == 3
        assert box.exists()
        assert [r.pk for r in box] == [r.pk for r in box.order_by("-id")]
    assert len(captured) == 4
    # Offsets (DRF's cursor walks them on ties) keep the rows in order.
    assert [r.pk for r in box[1:3]] == [r.pk for r in list(box)[1:3]]


def test_the_api_inbox_pages_ids_first_and_follows_its_cursor_to_the_end(world):
    add_referrals(world, world.case(), 9)
    client = client_for(world.receiver_worker)
    url, seen = "/api/v1/referrals/?box=inbox&page_size=4", []
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    id_reads = [q for q in _referral_queries(captured) if q.startswith('SELECT "referrals_')]
    assert any(_joins_nothing(q) and q.endswith("LIMIT 5") for q in id_reads)
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [row["id"] for row in response.data["results"]]
        url = response.data["next"]
    expected = list(
        Referral.objects.filter(to_organisation=world.receiver)
        .exclude(state="draft")
        .order_by("-id")
        .values_list("pk", flat=True)
    )
    assert seen == expected
