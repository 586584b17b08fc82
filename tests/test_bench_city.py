"""``make bench-city`` keeps working: the benchmark runs on a small seeded city and writes its
figures (a benchmark nobody runs rots, as ``make bench`` did behind the second factor)."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_city_benchmark_measures_every_list_against_its_reference(
    tmp_path, monkeypatch, capsys
):
    from benchmarks import report

    monkeypatch.setattr(report, "PATH", tmp_path / "bench.json")
    call_command(
        "seed_load", force=True, verbosity=0, organisations=8, users=300, referrals=600, meetings=0
    )
    from benchmarks import city
    from referrals import loadgen

    monkeypatch.setattr(city, "REQUESTS", 2)
    city.main()

    figures = json.loads((tmp_path / "bench.json").read_text())["city@600"]["figures"]
    assert figures["referrals"] == 600
    whats = {(row["persona"], row["what"]) for row in figures["results"]}
    assert ("municipal caseworker", "api: inbox, page 1") in whats
    assert ("CSO caseworker", "web: outbox, page 1") in whats
    assert all(row["p95_ms"] > 0 for row in figures["results"])
    lists = [row for row in figures["results"] if row["persona"] != "beat"]
    assert all(row["reference_p95_ms"] > 0 for row in lists)
    sweeps = {row["what"] for row in figures["results"] if row["persona"] == "beat"}
    assert {"sweep: referral expiries due", "sweep: meeting reminders due"} <= sweeps
    # One referral tells the municipality's intake team, not its whole staff (9 of the 300
    # users); nothing of the measure is left behind.
    fan_out = figures["fan_out"]
    assert fan_out["notifications"] == fan_out["emails"] == loadgen.INTAKE_TEAM < fan_out["staff"]
    from notifications.models import Notification

    assert not Notification.objects.exists()
    printed = capsys.readouterr().out
    assert printed.count("PASS") + printed.count("FAIL") == len(figures["results"])


def test_the_growth_table_puts_each_size_side_by_side():
    from benchmarks.growth import table

    def section(size, p95):
        results = [{"persona": "beat", "what": "sweep: x", "p95_ms": p95}]
        return {"figures": {"referrals": size, "results": results}}

    lines = table({"city@100000": section(100000, 2.5), "city@1000": section(1000, 1.0)})

    assert lines[0] == "| p95 | 1,000 referrals | 100,000 referrals |"
    assert lines[2] == "| beat · sweep: x | 1.0 ms | 2.5 ms |"


def test_the_plan_benchmark_measures_the_progress_of_a_plan_at_city_scale(
    tmp_path, monkeypatch, capsys
):
    from benchmarks import report

    monkeypatch.setattr(report, "PATH", tmp_path / "bench.json")
    call_command(
        "seed_load", force=True, verbosity=0, organisations=8, users=300, referrals=600, meetings=20
    )
    from benchmarks import plans

    monkeypatch.setattr(plans, "REQUESTS", 2)
    plans.main()
    plans.main()  # the plan is made once and reused

    figures = json.loads((tmp_path / "bench.json").read_text())["plans@600"]["figures"]
    whats = {row["what"]: row for row in figures["results"]}
    assert set(whats) == {
        "web: progress page, computed afresh",
        "web: progress page",
        "api: /plans/{id}/progress/, computed afresh",
        "api: /plans/{id}/progress/",
        "web: plan page",
    }
    assert all(row["p95_ms"] > 0 and row["queries"] > 0 for row in whats.values())
    from coordination.models import ActionPlan

    plan = ActionPlan.objects.get()
    assert plan.indicators.exclude(source="").count() == len(plans.COMPUTED)
    printed = capsys.readouterr().out
    assert printed.count("PASS") + printed.count("FAIL") == 2 * len(figures["results"])
