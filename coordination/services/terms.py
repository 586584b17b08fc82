"""Terms of reference and referral pathways: written by coordinators, adopted by a decision of
one of the group's meetings; terms are then endorsed by each member organisation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import permissions
from coordination.exceptions import AlreadyDone, Conflict, NotAllowed, NotVisible
from coordination.models import (
    Commitment,
    CoordinationGroup,
    Decision,
    Endorsement,
    Pathway,
    PathwayStep,
    TermsOfReference,
)
from coordination.services.common import coordinated_group, full_clean, require
from organisations.models import Service

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TERMS_FIELDS = ("mandate", "scope", "decision_making", "meeting_frequency", "change_note")
PATHWAY_FIELDS = ("category", "city", "area", "title", "description", "is_published")
MAX_STEPS = 20


def _decision_of(group: CoordinationGroup, decision: Any) -> Decision:
    decision_id = getattr(decision, "pk", decision)
    found = Decision.objects.filter(pk=decision_id, occurrence__meeting__group=group).first()
    require(
        found is not None,
        _("Choose a decision recorded at one of the group's meetings."),
        field="decision",
    )
    assert found is not None  # noqa: S101 - narrowed by require  # nosec B101
    return found


# Terms of reference -----------------------------------------------------------------------------


def _save_commitments(terms: TermsOfReference, commitments: dict[int, tuple[str, str]]) -> None:
    member_ids = set(terms.group.members.values_list("pk", flat=True))
    require(
        set(commitments) <= member_ids,
        _("Choose member organisations of the group."),
        field="commitments",
    )
    terms.commitments.all().delete()
    Commitment.objects.bulk_create(
        Commitment(
            terms=terms,
            organisation_id=organisation_id,
            commitment=text.strip(),
            focal_point=" ".join((focal_point or "").split())[:200],
        )
        for organisation_id, (text, focal_point) in sorted(commitments.items())
        if (text or "").strip()
    )


@transaction.atomic
def terms_create(
    *,
    actor: User,
    group: Any,
    commitments: dict[int, tuple[str, str]] | None = None,
    **fields: Any,
) -> TermsOfReference:
    """A new version (a draft), numbered after the last; without ``commitments`` the last
    version's are carried over."""
    group = coordinated_group(actor, getattr(group, "pk", group), lock=True)
    previous = group.terms.order_by("-version").first()
    terms = TermsOfReference(
        group=group,
        version=(group.terms.aggregate(v=Max("version"))["v"] or 0) + 1,
        created_by=actor,
    )
    for name in TERMS_FIELDS:
        setattr(terms, name, fields.get(name, getattr(previous, name, "") if previous else ""))
    if "change_note" not in fields:
        terms.change_note = ""
    require(bool((terms.mandate or "").strip()), _("Write the group's mandate."), field="mandate")
    full_clean(terms, exclude=["group", "adopted_by", "created_by"])
    terms.save()
    if commitments is None and previous is not None:
        commitments = {
            c.organisation_id: (c.commitment, c.focal_point) for c in previous.commitments.all()
        }
    _save_commitments(terms, commitments or {})
    return terms


def _coordinated_terms(actor: User, terms_id: int) -> TermsOfReference:
    terms = (
        TermsOfReference.objects.select_for_update(of=("self",))
        .select_related("group")
        .filter(pk=terms_id)
        .first()
    )
    if terms is None or not permissions.can_view(actor, terms.group):
        raise NotVisible()
    if not permissions.can_coordinate(actor, terms.group):
        raise NotAllowed()
    return terms


@transaction.atomic
def terms_update(
    *,
    actor: User,
    terms_id: int,
    commitments: dict[int, tuple[str, str]] | None = None,
    **fields: Any,
) -> TermsOfReference:
    """A draft changes; an adopted version never does (write a new version)."""
    terms = _coordinated_terms(actor, terms_id)
    if terms.is_adopted:
        raise Conflict(_("This version is adopted: write a new version to change it."))
    for name in TERMS_FIELDS:
        if name in fields:
            setattr(terms, name, fields[name])
    require(bool((terms.mandate or "").strip()), _("Write the group's mandate."), field="mandate")
    full_clean(terms, exclude=["group", "adopted_by", "created_by"])
    terms.save()
    if commitments is not None:
        _save_commitments(terms, commitments)
    return terms


@transaction.atomic
def terms_adopt(*, actor: User, terms_id: int, decision: Any) -> TermsOfReference:
    terms = _coordinated_terms(actor, terms_id)
    if terms.is_adopted:
        raise AlreadyDone(_("This version is already adopted."))
    terms.adopted_by = _decision_of(terms.group, decision)
    terms.adopted_at = timezone.now()
    terms.save(update_fields=["adopted_by", "adopted_at", "updated_at"])
    return terms


@transaction.atomic
def terms_endorse(*, actor: User, terms_id: int, organisation: Any) -> Endorsement:
    """A supervisor or admin of a member organisation endorses an adopted version for it."""
    terms = TermsOfReference.objects.select_related("group").filter(pk=terms_id).first()
    if terms is None or not permissions.can_view(actor, terms.group):
        raise NotVisible()
    organisation_id = getattr(organisation, "pk", organisation)
    if not permissions.may_report_for(actor, organisation_id):
        raise NotAllowed(_("Only the organisation's supervisors and admins endorse for it."))
    require(
        terms.group.members.filter(pk=organisation_id).exists(),
        _("Choose a member organisation of the group."),
        field="organisation",
    )
    if not terms.is_adopted:
        raise Conflict(_("Only an adopted version is endorsed."))
    try:
        with transaction.atomic():
            return Endorsement.objects.create(
                terms=terms, organisation_id=organisation_id, endorsed_by=actor
            )
    except IntegrityError:
        raise AlreadyDone(_("Your organisation has already endorsed this version.")) from None


# Referral pathways ------------------------------------------------------------------------------


def _save_steps(pathway: Pathway, steps: list[dict]) -> None:
    require(len(steps) <= MAX_STEPS, _("A pathway has at most 20 steps."), field="steps")
    pathway.steps.all().delete()
    for position, given in enumerate(steps, start=1):
        title = " ".join((given.get("title") or "").split())
        require(bool(title), _("Name each step."), field="steps")
        services = list(given.get("services") or [])
        service_ids = {getattr(s, "pk", s) for s in services}
        active = set(
            Service.objects.filter(pk__in=service_ids, is_active=True).values_list("pk", flat=True)
        )
        require(active == service_ids, _("Choose active services of the directory."), field="steps")
        step = PathwayStep.objects.create(
            pathway=pathway,
            position=position,
            title=title[:200],
            guidance=(given.get("guidance") or "").strip(),
        )
        step.services.set(sorted(service_ids))


@transaction.atomic
def pathway_create(
    *, actor: User, group: Any, steps: list[dict] | None = None, **fields: Any
) -> Pathway:
    group = coordinated_group(actor, getattr(group, "pk", group))
    pathway = Pathway(group=group, created_by=actor)
    for name in PATHWAY_FIELDS:
        if name in fields:
            setattr(pathway, name, fields[name])
    if pathway.is_published:
        raise Conflict(_("Only an adopted pathway is published."))
    full_clean(pathway, exclude=["group", "adopted_by", "created_by"])
    pathway.save()
    _save_steps(pathway, steps or [])
    return pathway


def _coordinated_pathway(actor: User, pathway_id: int) -> Pathway:
    pathway = (
        Pathway.objects.select_for_update(of=("self",))
        .select_related("group")
        .filter(pk=pathway_id)
        .first()
    )
    if pathway is None or not permissions.can_view(actor, pathway.group):
        raise NotVisible()
    if not permissions.can_coordinate(actor, pathway.group):
        raise NotAllowed()
    return pathway


@transaction.atomic
def pathway_update(
    *, actor: User, pathway_id: int, steps: list[dict] | None = None, **fields: Any
) -> Pathway:
    pathway = _coordinated_pathway(actor, pathway_id)
    for name in PATHWAY_FIELDS:
        if name in fields:
            setattr(pathway, name, fields[name])
    if pathway.is_published and pathway.adopted_at is None:
        raise Conflict(_("Only an adopted pathway is published."))
    full_clean(pathway, exclude=["group", "adopted_by", "created_by"])
    pathway.save()
    if steps is not None:
        _save_steps(pathway, steps)
    return pathway


@transaction.atomic
def pathway_adopt(*, actor: User, pathway_id: int, decision: Any) -> Pathway:
    pathway = _coordinated_pathway(actor, pathway_id)
    if pathway.adopted_at is not None:
        raise AlreadyDone(_("This pathway is already adopted."))
    pathway.adopted_by = _decision_of(pathway.group, decision)
    pathway.adopted_at = timezone.now()
    pathway.save(update_fields=["adopted_by", "adopted_at", "updated_at"])
    return pathway
