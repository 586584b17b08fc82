"""The personal calendar feed: its settings page and the secret address itself."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coordination import ics, selectors, services
from coordination.views.common import (
    ics_response,
)

# Calendar feed ----------------------------------------------------------------------------------


@login_required
def feed_settings(request: HttpRequest) -> HttpResponse:
    feed = getattr(request.user, "calendar_feed", None)
    url = ""
    if feed is not None:
        path = reverse("coordination:feed", args=[feed.pk, selectors.feed_token(feed)])
        url = request.build_absolute_uri(path)
    return render(
        request,
        "coordination/feed.html",
        {
            "feed": feed,
            "url": url,
            "webcal": url.replace("https://", "webcal://", 1).replace("http://", "webcal://", 1),
        },
    )


@login_required
@require_POST
def feed_regenerate(request: HttpRequest) -> HttpResponse:
    existed = hasattr(request.user, "calendar_feed")
    services.feed_regenerate(user=request.user)
    if existed:
        messages.success(request, _("A new address was made; the previous one no longer works."))
    else:
        messages.success(request, _("Your calendar address is ready."))
    return redirect("coordination:feed-settings")


@login_required
@require_POST
def feed_revoke(request: HttpRequest) -> HttpResponse:
    services.feed_revoke(user=request.user)
    messages.success(request, _("Your calendar address no longer works."))
    return redirect("coordination:feed-settings")


@require_GET
def feed(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The personal feed: no session, the secret address is the key (404 for any other)."""
    user = selectors.feed_user(pk=pk, token=token)
    if user is None:
        raise Http404
    meetings = list(selectors.feed_meetings(user, now=timezone.now()))
    content = ics.calendar(
        meetings,
        name=_("Relais meetings"),
        rows_of={m.pk: list(m.occurrences.all()) for m in meetings},
    )
    response = ics_response(content, "relais.ics", attachment=False)
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
