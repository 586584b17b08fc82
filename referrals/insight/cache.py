"""Reports are kept for a few minutes (``STATS_CACHE_SECONDS``): statistics need not be live to
the second, and a page of charts opened by several coordinators, or exported table by table,
then costs one computation. The key holds everything the answer depends on: the report, the
scope and its organisations, the filters, the language and the disclosure threshold."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

from referrals.insight import disclosure
from referrals.insight.scope import Filters, Scope
from referrals.insight.statistics import Report


def report_cached(
    build: Callable[[Scope, Filters], Report], scope: Scope, filters: Filters
) -> Report:
    timeout = settings.STATS_CACHE_SECONDS
    if not timeout:
        return build(scope, filters)
    parts = [
        f"{build.__module__}.{build.__qualname__}",
        scope.value,
        scope.organisation_ids,
        filters.as_dict(),
        get_language(),
        disclosure.min_cell(),
    ]
    digest = hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()
    key = f"insight:report:{digest}"
    report = cache.get(key)
    if report is None:
        report = build(scope, filters)
        cache.set(key, report, timeout)
    return report
