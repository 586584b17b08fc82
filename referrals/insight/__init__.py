"""Insight: the work dashboard of every role, referral statistics and the migration profile.

Aggregates never expose a person: every figure about people goes through
``referrals.insight.disclosure`` (small cells hidden, their complements too, months only).

- ``scope``: whose figures a user may see (supervisors: their organisation; coordinators: their
  group's member organisations) and the filters (whole months, an organisation, a category, a
  city);
- ``statistics`` and ``profile``: the reports, computed in the database with a fixed number of
  grouped queries (``functions``: percentiles and durations on PostgreSQL and SQLite alike);
- ``tables``: the one shape of every figure, shared by the page, the CSV and the API;
- ``dashboard``: the home page; ``charts``: server-side SVG; ``export``: CSV;
  ``cache``: reports reused for ``STATS_CACHE_SECONDS``;
- ``views``, ``forms``, ``urls``: the web pages (the API is in ``referrals.api.insight``).
"""
