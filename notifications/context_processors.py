from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from notifications.selectors import unread_count


def bell(request: HttpRequest) -> dict:
    """The unread count for the navigation; counted only if a template shows it."""
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(request.user))}
