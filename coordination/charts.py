"""Progress charts drawn on the server as inline SVG: no script, readable on a phone, mirrored
in right-to-left languages. One row per period: the actual value as a bar, the pro-rated target
as a tick on the same scale. The table beside each chart carries the same figures for screen
readers; the drawing itself is one labelled image."""

from __future__ import annotations

from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from coordination.progress import IndicatorProgress

WIDTH = 320
ROW = 22
BAR = 12
LABEL = 94
VALUE_ROOM = 48


def progress_chart(row: IndicatorProgress) -> SafeString:
    """Bars of the actual values (a running total for a count) and ticks of the expected."""
    shown = [p for p in row.periods if p.status != "upcoming"] or row.periods[:1]
    running = row.indicator.aggregation == "sum"
    values: list[float | None] = []
    total, hidden = 0.0, False
    for period in shown:
        actual = period.actual
        hidden = hidden or isinstance(actual, str)
        if isinstance(actual, int | float) and not (running and hidden):
            total += actual
            values.append(total if running else float(actual))
        else:  # a hidden figure hides every running total after it
            values.append(None)
    top = max([v for v in values if v is not None] + [p.expected for p in shown] + [1.0])
    room = WIDTH - LABEL - VALUE_ROOM
    rtl = get_language_bidi()
    height = ROW * len(shown) + 4

    def x(position: float, width: float = 0) -> float:
        return WIDTH - position - width if rtl else position

    shapes = []
    for index, (period, value) in enumerate(zip(shown, values, strict=True)):
        y = index * ROW + 2
        label = formats.date_format(period.period.start, "YEAR_MONTH_FORMAT")
        shapes.append(
            format_html(
                '<text x="{}" y="{}" class="chart-label" text-anchor="{}">{}</text>',
                WIDTH if rtl else 0,
                y + BAR,
                "end" if rtl else "start",
                label,
            )
        )
        if value is not None:
            width = max(room * value / top, 1)
            shapes.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" class="bar status-{}"></rect>',
                    round(x(LABEL, width), 1),
                    y,
                    round(width, 1),
                    BAR,
                    period.status,
                )
            )
            shown_value = f"{value:,.10g}"
        else:
            shown_value = period.actual if isinstance(period.actual, str) else "–"
            width = 0
        tick = LABEL + room * period.expected / top
        after = max(LABEL + width, tick) + 5
        shapes.append(
            format_html(
                '<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" class="target-tick"></line>',
                round(x(tick), 1),
                y - 2,
                y + BAR + 2,
            )
        )
        shapes.append(
            format_html(
                '<text x="{}" y="{}" class="chart-value" text-anchor="{}">{}</text>',
                round(x(after), 1),
                y + BAR - 1,
                "end" if rtl else "start",
                shown_value,
            )
        )
    # The indicator's name is the heading above (a name someone typed: not in an attribute,
    # where its direction could not be isolated).
    title = _("Actual against the pro-rated target, by period")
    return format_html(
        # Drawn left to right, the positions mirrored here for right-to-left pages: "end" is
        # then the right-hand side whatever the page's direction.
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" direction="ltr" '
        'preserveAspectRatio="xMinYMin meet">{}</svg>',
        WIDTH,
        height,
        title,
        format_html_join("", "{}", ((shape,) for shape in shapes)),
    )
