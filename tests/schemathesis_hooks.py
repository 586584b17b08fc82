"""Rules between fields that an OpenAPI schema cannot state, for ``make fuzz``
(``tests/fuzz_api_schemathesis.py`` loads this file through ``SCHEMATHESIS_HOOKS``).

Generated requests that break one of them are not made: the API answers them with a 400 naming
the rule (tested in the suite), which schemathesis would otherwise count as a valid request
refused. Each filter drops only the requests that break its rule; invalid data still goes through.
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path

import schemathesis

WORLD = json.loads(Path(os.environ["RELAIS_FUZZ_WORLD"]).read_text())


@schemathesis.hook("filter_body").apply_to(method="POST", path="/api/v1/referrals/")
def service_of_the_recipient(ctx, body) -> bool:
    """A service is offered by one organisation: a referral naming both names that one."""
    if not isinstance(body, dict) or body.get("service") is None:
        return True
    offered_by = WORLD["service_organisation"].get(str(body["service"]))
    return offered_by is None or body.get("to_organisation") == offered_by


@schemathesis.hook("filter_query").apply_to(path_regex="^/api/v1/stats/")
def period_in_order(ctx, query) -> bool:
    """A period ends no earlier than it starts (by default it starts in January)."""
    if not isinstance(query, dict) or not isinstance(query.get("end"), str):
        return True
    start = query.get("start")
    if not isinstance(start, str):
        start = f"{datetime.date.today().year}-01"  # noqa: DTZ011 - the server's default
    return query["end"][:7] >= start[:7]
