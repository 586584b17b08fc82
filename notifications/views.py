"""The bell, the notifications page and the preferences."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from notifications import kinds, selectors, services
from notifications.forms import PreferenceForm

PAGE_SIZE = 30


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = selectors.notifications_for(request.user)
    try:
        before = int(request.GET.get("before", "")) or None
    except ValueError:
        before = None
    if before:
        notifications = notifications.filter(pk__lt=before)
    rows = list(notifications[: PAGE_SIZE + 1])
    next_cursor = rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None
    return render(
        request,
        "notifications/list.html",
        {"notifications": rows[:PAGE_SIZE], "next_cursor": next_cursor},
    )


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read and follow the link to the subject (only ever a path of this site)."""
    notification = services.notification_mark_read(notification_id=pk, user=request.user)
    if notification is None:
        raise Http404
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read without opening: this one and every other one about the same thing."""
    if services.notification_mark_subject_read(notification_id=pk, user=request.user) is None:
        raise Http404
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.notification_mark_all_read(user=request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    preference = services.preference_for(request.user)
    codes = [k.code for k in kinds.all_kinds()]
    initial = {
        "language": preference.language,
        "email_kinds": [code for code in codes if preference.wants_email(code)],
        "silenced_kinds": preference.silenced_kinds,
    }
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.preference_update(
            user=request.user,
            language=form.cleaned_data["language"],
            email_kinds=form.cleaned_data["email_kinds"],
            silenced_kinds=form.cleaned_data.get("silenced_kinds"),
        )
        messages.success(request, _("Your preferences were saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, remembered as the language of the user's e-mails."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and language in dict(settings.LANGUAGES)
    ):
        services.preference_update(user=request.user, language=language)
    return response
