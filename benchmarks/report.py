"""``var/bench.json``: every benchmark's figures from the last run, by section, so that two
runs can be compared (``jq``, or any diff). Each benchmark records its own section when it ends;
the scale it ran at and the time are kept beside the figures."""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from typing import Any

PATH = Path(os.environ.get("BENCH_JSON", Path(__file__).resolve().parent.parent / "var/bench.json"))


def record(section: str, figures: Any) -> Path:
    """Write ``figures`` under ``section`` (replacing the last run's), keeping the others."""
    PATH.parent.mkdir(exist_ok=True)
    try:
        report = json.loads(PATH.read_text())
    except (FileNotFoundError, ValueError):
        report = {}
    report[section] = {
        "scale": os.environ.get("BENCH_SCALE", ""),
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "figures": figures,
    }
    PATH.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return PATH
