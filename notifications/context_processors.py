import operator

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, new_method_proxy

from notifications.selectors import unread_count


class LazyCount(SimpleLazyObject):
    """A number counted when first used. A template may pluralise with it: plural rules such as
    Arabic's compute ``n % 100``, which a plain SimpleLazyObject does not answer (it passes for an
    int in ``isinstance``, so gettext does not convert it first)."""

    __mod__ = new_method_proxy(operator.mod)
    __int__ = new_method_proxy(int)
    __index__ = new_method_proxy(operator.index)
    __ge__ = new_method_proxy(operator.ge)
    __le__ = new_method_proxy(operator.le)


def bell(request: HttpRequest) -> dict:
    """The unread count for the navigation: as the read-on-open middleware counted it with what
    it read, else counted only if a template shows it."""
    counted = getattr(request, "unread_notifications", None)
    if counted is not None:
        return {"unread_notifications": counted}
    return {"unread_notifications": LazyCount(lambda: unread_count(request.user))}
