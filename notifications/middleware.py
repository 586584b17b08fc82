"""Opening what a notification is about reads it: a person who opens a referral, a meeting or an
alert from anywhere (the bell, an e-mail, a list) does not find it still "new" afterwards."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from notifications import services


class ReadOnOpenMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, *args: object) -> None:
        # Before the view, so that the page shows the bell without what it just opened. Pages
        # only: the API marks notifications read explicitly.
        user = getattr(request, "user", None)
        if (
            request.method == "GET"
            and user is not None
            and user.is_authenticated
            and not request.path.startswith("/api/")
        ):
            _read, unread = services.notifications_read_on_open(user=user, url=request.path)
            request.unread_notifications = unread  # type: ignore[attr-defined] # the bell's
