"""``make bench-city`` keeps working: the benchmark runs on a small seeded city and writes its
figures (a benchmark nobody runs rots, as ``make bench`` did behind the second factor)."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_city_benchmark_measures_every_list_against_its_reference(
    settings, tmp_path, monkeypatch, capsys
):
    settings.VAR_DIR = tmp_path
    call_command(
        "seed_load", force=True, verbosity=0, organisations=8, users=300, referrals=600, meetings=0
    )
    from benchmarks import city
    from referrals import loadgen

    monkeypatch.setattr(city, "REQUESTS", 2)
    city.main()

    figures = json.loads((tmp_path / "bench-city.json").read_text())
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
