"""Form widgets shared by every app.

The browser's own date and time pickers: a phone shows its calendar and clock, and the value is
always ISO (``2026-03-03``, ``10:00``), whatever the page's language and its input formats. The
picker speaks the browser's language, which may not be the page's: relais.js repeats the chosen
value beside it as the page's language writes it (``data-echo``)."""

from __future__ import annotations

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs={"data-echo": "date", **(attrs or {})}, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs={"data-echo": "time", **(attrs or {})}, format="%H:%M")
