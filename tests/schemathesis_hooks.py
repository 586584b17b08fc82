"""Rules between fields that an OpenAPI schema cannot state, for ``make fuzz``
(``tests/test_api_schemathesis.py`` loads this file through ``SCHEMATHESIS_HOOKS``).

Generated requests that break one of them are not made: the API answers them with a 400 naming
the rule (tested in the suite), which schemathesis would otherwise count as a valid request
refused. Each filter drops only the requests that break its rule; invalid data still goes through.
(The statistics' period is narrowed in the schema instead: starts before, ends this year.)
"""

from __future__ import annotations

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
