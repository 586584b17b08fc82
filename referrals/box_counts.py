"""A box's per-state counts, kept between page views until a referral of the box changes.

The counts on the web inbox are the page's dearest read (7 ms of a municipal caseworker's 40 at
a million referrals, issue 13), and they change only when one of the box's referrals does. They
are kept in the cache per reader, box and organisation, with each organisation's *generation*:
a token replaced whenever a referral to or from it is saved or deleted, and again at the commit.
A page reads the counts and the generations in one cache round trip and counts afresh when a
generation moved. What changes a box without saving a referral (a bulk update, a permission
granted or taken on its own) shows within ``BOX_COUNTS_CACHE_SECONDS``; with a cache per process
(locmem), so does a change made in another process.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from referrals import selectors
from referrals.models import Referral

if TYPE_CHECKING:
    from config.types import Actor


def _generation_key(organisation_id: int) -> str:
    return f"referrals:box-generation:{organisation_id}"


def _box_changed(organisation_ids: Iterable[int]) -> None:
    token = uuid.uuid4().hex
    cache.set_many({_generation_key(pk): token for pk in organisation_ids}, timeout=None)


@receiver(post_save, sender=Referral, dispatch_uid="relais_box_changed_on_save")
@receiver(post_delete, sender=Referral, dispatch_uid="relais_box_changed_on_delete")
def referral_changed(sender: type, instance: Referral, **kwargs: object) -> None:
    """At once (the transaction that made the change reads its own boxes afresh) and again after
    the commit (someone who counted the box meanwhile, before the change was visible to them,
    kept that under the first new generation)."""
    organisations = {instance.from_organisation_id, instance.to_organisation_id} - {None}
    _box_changed(organisations)
    transaction.on_commit(partial(_box_changed, organisations), using=kwargs.get("using"))


def state_counts(
    referrals: QuerySet[Referral],
    states: Iterable[str],
    *,
    reader: Actor,
    box: str,
    organisation_ids: Iterable[int],
) -> dict[str, int]:
    """``selectors.state_counts`` of the reader's ``box`` (``referrals``) of these organisations,
    kept until one of their referrals changes (or ``BOX_COUNTS_CACHE_SECONDS`` at most)."""
    states = list(states)
    organisation_ids = sorted(set(organisation_ids))
    seconds = settings.BOX_COUNTS_CACHE_SECONDS
    if not seconds or not organisation_ids:
        return selectors.state_counts(referrals, states)
    # Per reader, not per query: compiling the box's query to name it cost as much as a third of
    # the count it saved. A reader whose groups change keeps the old counts until they expire.
    key = f"referrals:box-counts:{reader.pk}:{box}:{','.join(map(str, organisation_ids))}:" + (
        ",".join(states)
    )
    generations = [_generation_key(pk) for pk in organisation_ids]
    # The generations are read before counting: a change committed meanwhile makes them move,
    # and what is counted now is never taken for what came after it.
    found = cache.get_many([key, *generations])
    current = tuple(found.get(name) for name in generations)
    kept = found.get(key)
    if kept is not None and kept[0] == current:
        return kept[1]
    counts = selectors.state_counts(referrals, states)
    cache.set(key, (current, counts), seconds)
    return counts
