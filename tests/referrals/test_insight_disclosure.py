"""The disclosure rules on their own: small cells hidden, their complements too, months only."""

from __future__ import annotations

import datetime
import random
from zoneinfo import ZoneInfo

import pytest

from referrals.insight import disclosure

pytestmark = pytest.mark.usefixtures("settings")


def recoverable(cells: dict, total: object) -> bool:
    """Can an attacker pin a hidden cell from the total and the visible cells? They know the
    hidden cells add up to the rest; taking every hidden cell to be at least 1 (zeros are
    normally shown), one hidden cell, or a rest equal to their number (all ones), pins them."""
    if not isinstance(total, int):
        return False
    hidden = [key for key, value in cells.items() if value == disclosure.marker()]
    if not hidden:
        return False
    rest = total - sum(value for value in cells.values() if isinstance(value, int))
    return len(hidden) == 1 or rest == len(hidden)


def test_it_hides_counts_under_the_threshold_and_shows_zero():
    cells, total = disclosure.protect_counts({"a": 3, "b": 0, "c": 12, "d": 9})
    assert cells["a"] == "<5"
    assert cells["b"] == 0
    assert total == 24


def test_it_hides_a_second_cell_when_one_small_cell_could_be_recovered_from_the_total():
    counts = {"health": 7, "food": 2}
    cells, total = disclosure.protect_counts(counts)
    assert cells == {"health": "<5", "food": "<5"}
    assert total == 9
    assert not recoverable(cells, total)


def test_it_picks_the_smallest_other_cell_as_the_complement():
    counts = {"a": 1, "b": 40, "c": 6, "d": 30}
    cells, total = disclosure.protect_counts(counts)
    assert cells == {"a": "<5", "b": 40, "c": "<5", "d": 30}
    assert not recoverable(cells, total)


def test_it_does_not_let_all_ones_be_deduced():
    counts = dict.fromkeys("abcde", 1) | {"z": 0}
    cells, total = disclosure.protect_counts(counts)
    hidden = [key for key, value in cells.items() if value == "<5"]
    assert set("abcde") <= set(hidden)
    # Five hidden ones adding up to the total of five would pin each at 1: a zero is hidden too.
    assert len(hidden) > 5 or total == "<5"


def test_it_hides_a_total_under_the_threshold():
    cells, total = disclosure.protect_counts({"a": 2, "b": 1})
    assert cells == {"a": "<5", "b": "<5"}
    assert total == "<5"


@pytest.mark.parametrize("seed", range(40))
def test_no_hidden_cell_is_ever_pinned_by_the_total(seed):
    rng = random.Random(seed)
    counts = {
        f"k{i}": rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 15]) for i in range(rng.randint(2, 6))
    }
    cells, total = disclosure.protect_counts(counts)
    for key, value in counts.items():
        if 0 < value < 5:
            assert cells[key] == "<5"
        elif cells[key] != "<5":
            assert cells[key] == value
    assert not recoverable(cells, total)


def test_a_grid_protects_rows_and_columns():
    counts = {("A", "x"): 2, ("A", "y"): 10, ("B", "x"): 8, ("B", "y"): 12}
    cells, rows, columns = disclosure.protect_grid(counts, ["A", "B"], ["x", "y"])
    assert cells[("A", "x")] == "<5"
    # Row A and column x each need a second hidden cell.
    assert cells[("A", "y")] == "<5"
    assert cells[("B", "x")] == "<5"
    row_a = {"x": cells[("A", "x")], "y": cells[("A", "y")]}
    assert not recoverable(row_a, rows["A"])
    column_x = {"A": cells[("A", "x")], "B": cells[("B", "x")]}
    assert not recoverable(column_x, columns["x"])


def test_a_rate_is_hidden_when_it_would_reveal_a_small_count():
    assert disclosure.protect_rate(18, 20) == "<5"  # two declined
    assert disclosure.protect_rate(3, 20) == "<5"
    assert disclosure.protect_rate(15, 20) == 75
    assert disclosure.protect_rate(0, 0) is None


def test_a_median_needs_enough_referrals():
    assert disclosure.protect_measure(4, 10.0) == "<5"
    assert disclosure.protect_measure(5, 10.04) == 10.0


def test_periods_are_whole_months_in_the_time_zone():
    tunis = ZoneInfo("Africa/Tunis")
    start, end = disclosure.period_bounds(
        datetime.date(2026, 3, 17), datetime.date(2026, 5, 2), tunis
    )
    assert start == datetime.datetime(2026, 3, 1, tzinfo=tunis)
    assert end == datetime.datetime(2026, 6, 1, tzinfo=tunis)
    assert disclosure.months_between(datetime.date(2026, 11, 5), datetime.date(2027, 2, 1)) == [
        datetime.date(2026, 11, 1),
        datetime.date(2026, 12, 1),
        datetime.date(2027, 1, 1),
        datetime.date(2027, 2, 1),
    ]


def test_the_threshold_is_a_setting(settings):
    settings.STATS_MIN_CELL = 10
    cells, _total = disclosure.protect_counts({"a": 7, "b": 30, "c": 12})
    assert cells["a"] == "<10"
    assert cells["c"] == "<10"
