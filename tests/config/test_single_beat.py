"""Exactly one beat (issue 12: "a single beat enforced, not only by a comment")."""

from __future__ import annotations

import os
import time

import pytest

from config import beat


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
    assert not beat.beat_is_alive()
    beat.alive_file().touch()
    assert beat.beat_is_alive()
    old = time.time() - 120
    os.utime(beat.alive_file(), (old, old))
    assert not beat.beat_is_alive()
