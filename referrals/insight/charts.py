"""Bar charts drawn on the server as inline SVG: no script, no CDN, readable on a phone (each
label sits on its own line above its bars, and the drawing scales to the width) and mirrored in
right-to-left languages. The table behind each chart is printed beside it for screen readers;
the SVG itself is one labelled image."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_bidi

from referrals.insight.tables import Table

WIDTH = 320
LABEL_HEIGHT = 18
BAR_HEIGHT = 12
GAP = 10
LEGEND_HEIGHT = 22
VALUE_ROOM = 44


def bar_chart(table: Table, *, columns: list[str] | None = None, chart_id: str = "") -> SafeString:
    """Horizontal bars for the table's rows, one bar per column (series)."""
    series = columns or [key for key, _label in table.columns if key in table.protected]
    labels = dict(table.columns)
    numbers = [
        value
        for row in table.rows
        for key in series
        if isinstance((value := row.values.get(key)), int | float)
    ]
    top = max(numbers, default=0) or 1
    rtl = get_language_bidi()
    legend = LEGEND_HEIGHT if len(series) > 1 else 0
    row_height = LABEL_HEIGHT + BAR_HEIGHT * len(series) + GAP
    height = legend + row_height * len(table.rows) + 4
    room = WIDTH - VALUE_ROOM

    def x(position: float, width: float = 0) -> float:
        """Left edge of a shape from its distance to the reading start."""
        return WIDTH - position - width if rtl else position

    # Labels run in the page's direction from the reading start; numbers are always laid out
    # left to right (so that "<5" never turns into "5>"), on the far side of their bar.
    # The page's CSS direction reaches into inline SVG: every text says its own direction.
    anchor_start = "start"
    direction = "rtl" if rtl else "ltr"
    value_anchor = "end" if rtl else "start"
    parts = []
    for index, key in enumerate(series if legend else []):
        offset = index * (WIDTH // 2)
        parts.append(
            format_html(
                '<rect class="series-{}" x="{}" y="4" width="12" height="12"/>'
                '<text x="{}" y="15" text-anchor="{}" direction="{}">{}</text>',
                index,
                round(x(offset, 12), 1),
                round(x(offset + 18), 1),
                anchor_start,
                direction,
                labels.get(key, key),
            )
        )
    y = legend
    for row in table.rows:
        parts.append(
            format_html(
                # A row's label may be a name someone typed: its own direction, as dir="auto".
                '<text class="label" x="{}" y="{}" text-anchor="{}" direction="{}" '
                'unicode-bidi="plaintext">{}</text>',
                round(x(0), 1),
                y + 13,
                anchor_start,
                direction,
                row.label,
            )
        )
        bar_y = y + LABEL_HEIGHT
        for index, key in enumerate(series):
            value = row.values.get(key)
            width = (value / top) * room if isinstance(value, int | float) else 0
            if width:
                parts.append(
                    format_html(
                        '<rect class="series-{}" x="{}" y="{}" width="{}" height="{}"/>',
                        index,
                        round(x(0, width), 1),
                        bar_y + 1,
                        round(max(width, 1), 1),
                        BAR_HEIGHT - 2,
                    )
                )
            shown = "—" if value is None else value
            parts.append(
                format_html(
                    '<text class="value" x="{}" y="{}" text-anchor="{}" direction="ltr">{}</text>',
                    round(x(width + 4), 1),
                    bar_y + BAR_HEIGHT - 2,
                    value_anchor,
                    shown,
                )
            )
            bar_y += BAR_HEIGHT
        y += row_height
    label_id = f"{chart_id or table.name}-title"
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}" '
        'preserveAspectRatio="xMinYMin meet"><title id="{}">{}</title>{}</svg>',
        WIDTH,
        height,
        label_id,
        label_id,
        table.title,
        mark_safe("".join(str(part) for part in parts)),  # noqa: S308  # each part is escaped  # nosec B308 B703
    )
