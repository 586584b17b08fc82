"""The client's address, read the same way everywhere (sign-in lock-out, API throttles).

Behind the reverse proxy the README prescribes, ``REMOTE_ADDR`` is the proxy: every client
would share one address, and a lock-out "by username and address" would become a lock-out by
username that anyone could trigger against a victim. With ``TRUSTED_PROXY_COUNT`` proxies in
front, the client is the address that the first of them appended to ``X-Forwarded-For``
(counted from the right: what the client wrote itself, to the left, is never trusted). This is
DRF's ``NUM_PROXIES`` rule, which the API throttles use with the same setting.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not proxies or not forwarded:
        return remote
    addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
    if not addresses:
        return remote
    return addresses[-min(proxies, len(addresses))]
