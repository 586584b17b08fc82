"""Renderers for API operations that answer a file (an .ics, a signed agreement)."""

from __future__ import annotations

from rest_framework import renderers


class FileRenderer(renderers.BaseRenderer):
    """Lets clients ask for the file's type in ``Accept``; the view writes the file itself. An
    error (401, 404...) is still the API's JSON body, and its Content-Type says so."""

    media_type = "application/octet-stream"
    format = "file"
    charset = None
    render_style = "binary"

    def render(self, data: object, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, bytes):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return renderers.JSONRenderer().render(data)


class ICalendarRenderer(FileRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"
    render_style = "text"
