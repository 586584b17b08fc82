"""The public "find help" pages: no sign-in, no cookie, no JavaScript needed, in each interface
language under its own path (``/find-help/ar/``), so that a page and its copy in a phone's
offline cache are the same address.

Every page is rendered once per language and filters and then served from the cache
(``OPEN_DATA_CACHE_SECONDS``): a page served from the cache runs no SQL query, so that heavy
traffic never reaches the case database. Only filter values the form accepted (those the public
directory holds) ever make a cache key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from findhelp import selectors
from findhelp.forms import FilterForm

PER_PAGE = 25
KEY_PREFIX = "findhelp:page:v1"


def _served(
    content: bytes, *, hit: bool, content_type: str = "text/html; charset=utf-8"
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["X-Cache"] = "hit" if hit else "miss"
    patch_cache_control(response, public=True, max_age=settings.OPEN_DATA_CACHE_SECONDS)
    return response


def _from_cache(key: str, build: Callable[[], HttpResponse]) -> HttpResponse:
    """The page stored under ``key``, or ``build``'s answer, stored when it is a 200."""
    key = f"{KEY_PREFIX}:{hashlib.sha256(key.encode()).hexdigest()}"
    content = cache.get(key)
    if content is not None:
        return _served(content, hit=True)
    response = build()
    if response.status_code != 200:
        return response
    cache.set(key, response.content, settings.OPEN_DATA_CACHE_SECONDS)
    return _served(response.content, hit=False)


def _in_language(view):
    """Render in the language the path names (whatever the browser or a cookie says)."""

    @wraps(view)
    def wrapped(request: HttpRequest, language: str, **kwargs) -> HttpResponse:
        with translation.override(language):
            request.LANGUAGE_CODE = language
            return view(request, language, **kwargs)

    return require_safe(wrapped)


def _context(request: HttpRequest, language: str, **values) -> dict:
    """What every page shows: the same page in each language (filters kept), and when it was
    made (a page kept offline says how old it is)."""
    match = request.resolver_match
    query = f"?{request.GET.urlencode()}" if request.GET else ""
    alternates = [
        {
            "code": code,
            "name": translation.get_language_info(code)["name_local"],
            "url": reverse(match.view_name, kwargs={**match.kwargs, "language": code}) + query,
        }
        for code, _name in settings.LANGUAGES
    ]
    return {
        "language": language,
        "alternates": alternates,
        "generated_at": timezone.localtime(),
        **values,
    }


@require_safe
def start(request: HttpRequest) -> HttpResponse:
    """``/find-help/``: the pages in the visitor's language (browser or chosen before)."""
    response = redirect(
        "findhelp:directory", language=translation.get_language_from_request(request)
    )
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


@_in_language
def directory(request: HttpRequest, language: str) -> HttpResponse:
    """Services by category, city, area and language spoken, with whether each is open now."""
    form = FilterForm(request.GET, offered=selectors.choices())
    if not form.is_valid():
        return render(
            request, "findhelp/directory.html", _context(request, language, form=form), status=400
        )

    def build() -> HttpResponse:
        filters = {k: form.cleaned_data[k] for k in ("category", "city", "area", "language")}
        found = selectors.directory(**filters, open_now=form.cleaned_data["open_now"])
        try:
            page = Paginator(found, PER_PAGE).page(form.cleaned_data["page"] or 1)
        except EmptyPage:
            raise Http404 from None
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "findhelp/directory.html",
            _context(
                request,
                language,
                form=form,
                page=page,
                query=query.urlencode(),
                filtered=any(filters.values()) or form.cleaned_data["open_now"],
            ),
        )

    return _from_cache(f"directory:{language}:{form.key()}", build)


@_in_language
def pathways(request: HttpRequest, language: str) -> HttpResponse:
    """The referral pathways the coordination groups published: the steps a person goes through,
    each with its public services."""

    def build() -> HttpResponse:
        return render(
            request,
            "findhelp/pathways.html",
            _context(request, language, pathways=selectors.pathways()),
        )

    return _from_cache(f"pathways:{language}", build)


@_in_language
def manifest(request: HttpRequest, language: str) -> HttpResponse:
    """The web app manifest: the pages can be installed on a phone's home screen."""
    body = {
        "name": _("Relais: find help"),
        "short_name": _("Find help"),
        "lang": language,
        "dir": "rtl" if translation.get_language_bidi() else "ltr",
        "start_url": reverse("findhelp:directory", kwargs={"language": language}),
        "scope": reverse("findhelp:start"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b6e69",
        "icons": [
            {"src": static("findhelp/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static("findhelp/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("findhelp/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/manifest+json"
    )
    patch_cache_control(response, public=True, max_age=settings.OPEN_DATA_CACHE_SECONDS)
    return response


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker that keeps the pages working offline: each page is fetched from the
    network when there is one and kept; without a network, the copy kept last is shown (a
    directory never seen in that form falls back to the whole directory in that language)."""
    pages = [
        reverse("findhelp:directory", kwargs={"language": code})
        for code, _name in settings.LANGUAGES
    ]
    pages += [
        reverse("findhelp:pathways", kwargs={"language": code})
        for code, _name in settings.LANGUAGES
    ]
    assets = [
        static("findhelp/findhelp.css"),
        static("findhelp/install.js"),
        static("findhelp/icon.svg"),
    ]
    version = hashlib.sha256(" ".join(pages + assets).encode()).hexdigest()[:12]
    response = render(
        request,
        "findhelp/sw.js",
        {
            "version": version,
            "precache": json.dumps(pages + assets),
            "scope": reverse("findhelp:start"),
            "static_prefix": settings.STATIC_URL,
        },
        content_type="text/javascript; charset=utf-8",
    )
    # A browser checks for a new service worker on each visit; never keep an old one around.
    patch_cache_control(response, no_cache=True)
    return response
