"""Exactly one beat (issue 12: "a single beat enforced, not only by a comment")."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from config import beat, beatcheck
from tests.stack import ROOT


@pytest.fixture
def var_dir(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    return tmp_path


def test_a_second_beat_cannot_take_the_lock_until_the_first_lets_go(db, var_dir):
    first = beat.acquire_beat_lock()
    assert first is not None
    try:
        assert beat.acquire_beat_lock() is None
    finally:
        first.close()
    again = beat.acquire_beat_lock()
    assert again is not None
    again.close()


def test_the_scheduler_refuses_to_start_while_another_beat_runs(db, var_dir, monkeypatch):
    monkeypatch.setattr(beat.SingleBeatScheduler, "_lock", None)
    other = beat.acquire_beat_lock()
    try:
        with pytest.raises(beat.AnotherBeatIsRunning, match="exactly one"):
            beat.SingleBeatScheduler(app=None)
    finally:
        other.close()


def test_the_health_check_reads_the_age_of_the_last_tick(var_dir):
    assert not beatcheck.beat_is_alive()
    beatcheck.alive_file().touch()
    assert beatcheck.beat_is_alive()
    old = time.time() - 120
    os.utime(beatcheck.alive_file(), (old, old))
    assert not beatcheck.beat_is_alive()


def _container_check(var_dir) -> int:
    """As docker-compose runs it: a process of its own, with the settings of the environment."""
    env = {**os.environ, "RELAIS_VAR_DIR": str(var_dir)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [sys.executable, "-m", "config.beatcheck"]
    run = subprocess.run(command, cwd=ROOT, env=env, timeout=60, check=False)  # noqa: S603 - ours
    return run.returncode


def test_the_container_check_fails_without_a_recent_tick_and_passes_with_one(var_dir):
    assert _container_check(var_dir) == 1
    (var_dir / "beat.alive").touch()
    assert _container_check(var_dir) == 0
    old = time.time() - 120
    os.utime(var_dir / "beat.alive", (old, old))
    assert _container_check(var_dir) == 1
