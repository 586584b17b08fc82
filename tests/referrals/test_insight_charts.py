"""The server-side SVG charts: escaped, mirrored in Arabic, honest about hidden figures."""

from __future__ import annotations

import re

from django.utils import translation

from referrals.insight.charts import WIDTH, bar_chart
from referrals.insight.tables import Row, Table


def sample() -> Table:
    return Table(
        name="by_test",
        title="Test <figures>",
        columns=[("sent", "Sent"), ("received", "Received")],
        protected=("sent", "received"),
        rows=[
            Row(key="a", label="<script>alert(1)</script>", values={"sent": 10, "received": 5}),
            Row(key="b", label="Second", values={"sent": "<5", "received": 0}),
        ],
    )


def test_labels_and_titles_are_escaped():
    svg = str(bar_chart(sample()))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert '<title id="by_test-title">Test &lt;figures&gt;</title>' in svg
    assert 'role="img"' in svg


def test_bars_are_proportional_and_hidden_figures_draw_no_bar():
    svg = str(bar_chart(sample()))
    widths = [
        float(w)
        for w in re.findall(
            r'<rect class="series-\d" x="[^"]+" y="\d+" width="([^"]+)" height="10"', svg
        )
    ]
    assert len(widths) == 2  # 10 and 5; "<5" and 0 draw nothing
    assert abs(widths[0] - 2 * widths[1]) < 0.2
    assert "&lt;5</text>" in svg


def test_bars_start_from_the_right_in_arabic():
    with translation.override("ar"):
        svg = str(bar_chart(sample()))
    match = re.search(
        r'<rect class="series-0" x="([^"]+)" y="(\d+)" width="([^"]+)" height="10"', svg
    )
    x, width = float(match.group(1)), float(match.group(3))
    assert abs(x + width - WIDTH) < 0.2
    assert 'direction="rtl"' in svg
    with translation.override("en"):
        svg = str(bar_chart(sample()))
    match = re.search(
        r'<rect class="series-0" x="([^"]+)" y="(\d+)" width="([^"]+)" height="10"', svg
    )
    assert float(match.group(1)) == 0
