"""``make bench-reads`` prints the SQL queries of every API list at 10 and at 200 rows a page,
and records them (issue 13: the same count whatever the length, at most 8)."""

from __future__ import annotations

import importlib

import pytest

from tests.referrals.conftest import client_for
from tests.referrals.test_query_counts import add_referrals

pytestmark = pytest.mark.django_db


def test_every_api_list_is_counted_at_10_and_200_rows(world, capsys, monkeypatch):
    bench = importlib.import_module("benchmarks.__main__")
    monkeypatch.setattr(bench, "FIGURES", [])
    add_referrals(world, world.case(), 12)

    bench.list_queries(client_for(world.receiver_supervisor))

    counted = {f["what"]: f for f in bench.FIGURES}
    assert len(counted) == len(bench.API_LISTS)
    for figure in counted.values():
        assert figure["at_10"] == figure["at_200"] <= bench.MAX_LIST_QUERIES, figure
    inbox = counted["queries: /api/v1/referrals/?box=inbox"]
    assert inbox["at_10"] > 2
    assert capsys.readouterr().out.count("PASS") == len(bench.API_LISTS)


def test_the_home_pages_and_statistics_are_measured_for_every_persona(monkeypatch, settings):
    """The city-scale insight benchmark, small: every page it times answers (it rotted once,
    when coordinators came to need an active membership)."""
    from benchmarks import insight

    settings.REQUIRE_2FA_FOR_PRIVILEGED = False
    monkeypatch.setattr(insight, "REFERRALS", 400)
    measured = []

    def measure(label, action):
        action()
        measured.append(label)

    insight.run(measure)

    assert "home dashboard: coordinator" in measured
    assert "api: stats/referrals, group of 40 organisations (computed)" in measured
    assert len(measured) == 4 + 2 * 5
