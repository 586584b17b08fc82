"""Insight: the work dashboard of every role, referral statistics and the migration profile.

Aggregates never expose a person: every figure about people goes through
``referrals.insight.disclosure`` (small cells hidden, their complements too, months only).
Modules: ``scope`` (who may see which organisations' figures), ``disclosure``, ``tables``,
``statistics`` and ``profile`` (computed in the database), ``dashboard`` (the home page),
``charts`` (server-side SVG), ``export`` (CSV).
"""
