"""How the lists' and sweeps' cost grows with the number of referrals: a table of p95 per size
from the ``city@<referrals>`` sections of ``var/bench.json`` (``make bench-growth``)."""

from __future__ import annotations

import json

from benchmarks import report


def table(sections: dict) -> list[str]:
    sizes = sorted(int(name.split("@", 1)[1]) for name in sections if name.startswith("city@"))
    rows: dict[str, dict[int, float]] = {}
    for size in sizes:
        for row in sections[f"city@{size}"]["figures"]["results"]:
            rows.setdefault(f"{row['persona']} · {row['what']}", {})[size] = row["p95_ms"]
    header = " | ".join(f"{size:,} referrals" for size in sizes)
    lines = [f"| p95 | {header} |", "|---" * (len(sizes) + 1) + "|"]
    for what, by_size in rows.items():
        cells = " | ".join(f"{by_size[size]:.1f} ms" if size in by_size else "" for size in sizes)
        lines.append(f"| {what} | {cells} |")
    return lines


if __name__ == "__main__":
    print("\n".join(table(json.loads(report.PATH.read_text()))))
