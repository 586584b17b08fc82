"""Every route of the project × every role × the kinds of object, derived from the URL resolver.

The test walks the resolver: a route without an entry in ``ROUTES`` fails the suite, so no page
or endpoint ships without saying who may reach it. Each entry names a rule; the rule is an
oracle written from the world's facts (who belongs where), not from the product's permission
code. For every role and object the route is asked with GET and POST, each request in a
savepoint that is rolled back:

- a role the rule admits gets an answer (GET: the page; POST: anything but a server error);
- any other role gets what a missing object gets: 404 (403 where the object is visible but the
  act is not theirs), a redirect to sign-in (web) or 401 (API) when not signed in, and never a
  byte of the person's data.

Objects: own, foreign (two organisations none of the roles belongs to), shared (received),
after withdrawal, after retention (the case anonymised). The admin site is one entry: staff only.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from coordination import selectors as coordination_selectors
from coordination import services as coordination_services
from coordination.models import (
    ActionItem,
    ActionPlan,
    Activity,
    Alert,
    ContingencyPlan,
    CoordinationGroup,
    Indicator,
    IndicatorReport,
    Meeting,
    Objective,
    Pathway,
    TermsOfReference,
)
from coordination.permissions import group_sync
from notifications.models import Notification
from organisations import services as organisation_services
from organisations.models import Membership, Organisation, Partnership, Service
from referrals import privacy, services
from referrals.models import Case, ExternalReferral, Referral, State
from tests.factories import ServiceFactory, UserFactory, member
from tests.referrals.conftest import World, build_world

SECRETS = ("Confidential note", "+216 20", "Needs a bed tonight", "Amina")

ROLES = [
    "anonymous",
    "sender_worker",
    "sender_supervisor",
    "sender_admin",
    "receiver_worker",
    "receiver_supervisor",
    "third_worker",
    "coordinator",  # coordinates the group, member of no party (an international office)
    "party_coordinator",  # coordinates the group and works at the sending organisation
    "platform_admin",  # superuser without any membership
    "deactivated",
    "removed",  # their membership of the sending organisation was ended
]
SIGNED_OUT = {"anonymous", "deactivated"}


# The world ---------------------------------------------------------------------------------------


@dataclass
class Matrix:
    world: World
    users: dict[str, Any]
    objects: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)


def build(world: World) -> Matrix:
    group_sync(world.group)
    party_coordinator = member(world.sender, "caseworker", username="s.coordinator")
    world.group.coordinators.add(party_coordinator)
    removed = member(world.sender, "supervisor", username="s.removed")
    organisation_services.membership_deactivate(
        membership=Membership.objects.get(user=removed, organisation=world.sender), actor=None
    )
    users = {
        "anonymous": None,
        "sender_worker": world.sender_worker,
        "sender_supervisor": world.sender_supervisor,
        "sender_admin": world.sender_admin,
        "receiver_worker": world.receiver_worker,
        "receiver_supervisor": world.receiver_supervisor,
        "third_worker": world.third_worker,
        "coordinator": world.coordinator,
        "party_coordinator": party_coordinator,
        "platform_admin": UserFactory(username="platform", is_staff=True, is_superuser=True),
        "deactivated": world.former,
        "removed": removed,
    }
    matrix = Matrix(world=world, users=users)

    # Cases and referrals.
    own_case = world.case()
    foreign_case = world.case(actor=world.third_worker, consent_to=(world.fourth,))
    erased_case = world.case()
    retained = world.referral(State.IN_PROGRESS, case=erased_case, category="health")
    services.referral_complete(
        referral_id=retained.pk, actor=world.receiver_worker, outcome="provided", note="Done"
    )
    withdrawn = world.referral(State.ACCEPTED, case=own_case, category="education")
    services.referral_withdraw(referral_id=withdrawn.pk, actor=world.sender_worker, reason="Moved")
    referrals = {
        "own_draft": world.referral(State.DRAFT, case=own_case, category="food"),
        "shared": world.referral(State.SUBMITTED, case=own_case, category="health"),
        "accepted": world.referral(State.ACCEPTED, case=own_case, category="legal_aid"),
        "foreign": world.referral(
            State.SUBMITTED, case=foreign_case, actor=world.third_worker, to=world.fourth
        ),
        "withdrawn": withdrawn,
        "retained": retained,
    }
    privacy.case_erase(
        case_id=erased_case.pk, actor=world.sender_supervisor, reference=erased_case.reference
    )
    cases = {"own": own_case, "foreign": foreign_case, "anonymised": erased_case}
    matrix.objects["case"] = {k: {"pk": c.pk} for k, c in cases.items()}
    matrix.objects["consent"] = {
        k: {"pk": c.pk, "consent_pk": c.consents.first().pk}
        for k, c in cases.items()
        if c.consents.exists()
    }
    matrix.objects["api_consent"] = {
        k: {"pk": v["pk"], "consent_id": v["consent_pk"]}
        for k, v in matrix.objects["consent"].items()
    }
    matrix.objects["referral"] = {k: {"pk": r.pk} for k, r in referrals.items()}
    # Referrals off the platform: one of the sender's case, one of the third organisation's.
    matrix.objects["external"] = {
        k: {
            "pk": services.external_referral_create(
                case=case, actor=actor, service_category="legal_aid", name=f"Unlisted {k}"
            ).pk
        }
        for k, case, actor in (
            ("own", own_case, world.sender_worker),
            ("foreign", foreign_case, world.third_worker),
        )
    }
    matrix.objects["referral_action"] = {
        k: {"pk": r.pk, "action": "comment"} for k, r in referrals.items()
    }

    # Organisations.
    for organisation in (world.sender, world.third):
        ServiceFactory(organisation=organisation)
    orgs = {"own": world.sender, "foreign": world.third}
    matrix.objects["organisation"] = {k: {"pk": o.pk} for k, o in orgs.items()}
    matrix.objects["service"] = {
        k: {"pk": o.pk, "service_pk": Service.objects.filter(organisation=o).first().pk}
        for k, o in orgs.items()
    }
    matrix.objects["membership"] = {
        k: {"pk": o.pk, "membership_pk": Membership.objects.filter(organisation=o).first().pk}
        for k, o in orgs.items()
    }
    partnership = Partnership.objects.create(
        municipality=world.receiver, organisation=world.sender, starts_on=timezone.localdate()
    )
    matrix.objects["partnership"] = {"own": {"pk": partnership.pk}}
    matrix.objects["api_organisation"] = {k: {"pk": o.pk} for k, o in orgs.items()}
    matrix.objects["api_membership"] = {
        k: {"pk": v["pk"], "membership_id": v["membership_pk"]}
        for k, v in matrix.objects["membership"].items()
    }
    matrix.objects["api_service"] = {
        k: {"pk": v["service_pk"]} for k, v in matrix.objects["service"].items()
    }
    # The open-data directory: one public service of the sender (anyone reads it).
    from organisations import hsds

    public = ServiceFactory(organisation=world.sender, is_public=True)
    matrix.objects["hsds_service"] = {"public": {"pk": hsds.hsds_id("service", public.pk)}}
    matrix.objects["hsds_organization"] = {
        "public": {"pk": hsds.hsds_id("organization", world.sender.pk)}
    }
    # The public "find help" pages, in each interface language.
    matrix.objects["findhelp_language"] = {code: {"language": code} for code in ("en", "ar")}

    # Coordination: the world's group (sender, receiver, unverified; coordinated by both
    # coordinators) and another group none of the roles belongs to.
    outsider_org = Organisation.objects.create(name="Outside Org", city="Gabes")
    outsider = member(outsider_org, "supervisor", username="outside.coordinator")
    other_group = coordination_services.group_create(
        actor=None,
        name="Other group",
        convening_organisation=outsider_org,
        coordinators=[outsider],
    )
    start = timezone.localtime() + datetime.timedelta(days=3)
    wall = start.replace(tzinfo=None, hour=10, minute=0, second=0, microsecond=0)
    meetings = {
        "own": coordination_services.meeting_schedule(
            actor=world.coordinator, group=world.group, title="Monthly", start=wall
        ),
        "foreign": coordination_services.meeting_schedule(
            actor=outsider, group=other_group, title="Elsewhere", start=wall
        ),
    }
    matrix.objects["group"] = {"own": {"pk": world.group.pk}, "foreign": {"pk": other_group.pk}}
    matrix.objects["meeting"] = {k: {"pk": m.pk} for k, m in meetings.items()}
    matrix.objects["sitting"] = {
        k: {"pk": m.pk, "stamp": m.first_start.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")}
        for k, m in meetings.items()
    }
    items = {
        "own": coordination_services.agenda_propose(
            meeting_id=meetings["own"].pk,
            original_start=meetings["own"].first_start,
            actor=world.sender_worker,
            title="Winter shelters",
        ),
        "foreign": coordination_services.agenda_propose(
            meeting_id=meetings["foreign"].pk,
            original_start=meetings["foreign"].first_start,
            actor=outsider,
            title="Elsewhere item",
        ),
    }
    matrix.objects["agenda"] = {k: {"pk": i.pk, "action": "accept"} for k, i in items.items()}
    matrix.objects["api_agenda"] = {k: {"pk": i.pk} for k, i in items.items()}
    actions = {
        "own": coordination_services.action_item_create(
            actor=world.coordinator,
            meeting_id=meetings["own"].pk,
            title="Count beds",
            due_on=timezone.localdate() + datetime.timedelta(days=10),
            original_start=meetings["own"].first_start,
            owner_organisation=world.sender,
        ),
        "foreign": coordination_services.action_item_create(
            actor=outsider,
            meeting_id=meetings["foreign"].pk,
            title="Far away",
            due_on=timezone.localdate() + datetime.timedelta(days=10),
            original_start=meetings["foreign"].first_start,
            owner_organisation=outsider_org,
        ),
    }
    matrix.objects["action"] = {k: {"pk": a.pk} for k, a in actions.items()}
    alerts = {
        "own": coordination_services.alert_broadcast(
            actor=world.coordinator, group=world.group, title="Storm", message="Shelters open"
        ),
        "foreign": coordination_services.alert_broadcast(
            actor=outsider, group=other_group, title="Far storm", message="Elsewhere"
        ),
    }
    matrix.objects["alert"] = {k: {"pk": a.pk} for k, a in alerts.items()}
    plans = {
        "own": coordination_services.plan_create(
            actor=world.coordinator, group=world.group, title="Heat", scenario="Heat wave"
        ),
        "foreign": coordination_services.plan_create(
            actor=outsider, group=other_group, title="Far heat", scenario="Far"
        ),
    }
    matrix.objects["plan"] = {k: {"pk": p.pk} for k, p in plans.items()}
    mechanism = {
        "own": _mechanism(world.coordinator, world.group, world.sender, meetings["own"]),
        "foreign": _mechanism(outsider, other_group, outsider_org, meetings["foreign"]),
    }
    for kind in ("action_plan", "objective", "activity", "indicator", "report", "pathway", "terms"):
        matrix.objects[kind] = {k: {"pk": m[kind].pk} for k, m in mechanism.items()}
    matrix.objects["report_period"] = {
        k: {"pk": m["indicator"].pk, "period": m["action_plan"].start_on.isoformat()}
        for k, m in mechanism.items()
    }
    feed = coordination_services.feed_regenerate(user=world.sender_worker)
    token = coordination_selectors.feed_token(feed)
    matrix.objects["feed"] = {
        "own": {"pk": feed.pk, "token": token},
        "forged": {"pk": feed.pk, "token": "x" * len(token)},
    }
    notification = Notification.objects.create(
        recipient=world.sender_worker, kind="test", key="matrix", subject="Hello", url="/"
    )
    matrix.objects["notification"] = {"own": {"pk": notification.pk}}
    matrix.objects["reset"] = {
        "own": {
            "uidb64": urlsafe_base64_encode(force_bytes(world.sender_worker.pk)),
            "token": default_token_generator.make_token(world.sender_worker),
        }
    }
    matrix.objects["none"] = {"-": {}}
    return matrix


def _mechanism(coordinator, group, lead, meeting) -> dict[str, Any]:
    """A group's terms (adopted), a pathway and a plan whose lead organisation reported once."""
    from coordination.models import Decision, Frequency, Occurrence

    occurrence, _ = Occurrence.objects.get_or_create(
        meeting=meeting, original_start=meeting.first_start
    )
    decision = Decision.objects.create(occurrence=occurrence, text="Adopted")
    terms = coordination_services.terms_create(actor=coordinator, group=group, mandate="Refer")
    coordination_services.terms_adopt(actor=coordinator, terms_id=terms.pk, decision=decision)
    pathway = coordination_services.pathway_create(
        actor=coordinator,
        group=group,
        category="emergency_shelter",
        city=lead.city or "Sfax",
        title="Shelter tonight",
        steps=[{"title": "Call the hotline"}],
    )
    first = timezone.localdate().replace(day=1) - datetime.timedelta(days=40)
    plan = coordination_services.action_plan_create(
        actor=coordinator,
        group=group,
        title="Plan",
        start_on=first.replace(day=1),
        end_on=datetime.date(first.year + 1, 12, 31),
    )
    objective = coordination_services.objective_save(
        actor=coordinator, plan_id=plan.pk, title="Shelter"
    )
    activity = coordination_services.activity_create(
        actor=coordinator,
        plan_id=plan.pk,
        title="Beds",
        lead_organisation=lead,
        start_on=plan.start_on,
        end_on=plan.end_on,
    )
    indicator = coordination_services.indicator_create(
        actor=coordinator,
        plan_id=plan.pk,
        activity=activity,
        name="Nights",
        target=100,
        frequency=Frequency.MONTHLY,
    )
    reporter = Membership.objects.active().filter(organisation=lead, role="supervisor").first().user
    report = coordination_services.indicator_report(
        actor=reporter, indicator_id=indicator.pk, period_start=plan.start_on, value=3
    )
    return {
        "action_plan": plan,
        "objective": objective,
        "activity": activity,
        "indicator": indicator,
        "report": report,
        "pathway": pathway,
        "terms": terms,
    }


# Who may: the oracle -------------------------------------------------------------------------


def _orgs(
    matrix: Matrix, role: str, roles: tuple[str, ...] = ("caseworker", "supervisor", "admin")
):
    user = matrix.users[role]
    if user is None or not user.is_active:
        return set()
    return set(
        Membership.objects.active()
        .filter(user=user, role__in=roles)
        .values_list("organisation_id", flat=True)
    )


CASE_ROLES = ("caseworker", "supervisor")


def case_rule(matrix: Matrix, role: str, kwargs: dict) -> str:
    case = Case.objects.get(pk=kwargs["pk"])
    if case.anonymised_at is None and case.owner_id in _orgs(matrix, role, CASE_ROLES):
        return "ok"
    return "hidden"


def external_rule(matrix: Matrix, role: str, kwargs: dict) -> str:
    """A referral off the platform: its case's organisation only (nobody else is granted it)."""
    return case_rule(matrix, role, {"pk": ExternalReferral.objects.get(pk=kwargs["pk"]).case_id})


def slip_rule(matrix: Matrix, role: str, kwargs: dict) -> str:
    """A referral's slip is printed by the organisation whose case it is."""
    return case_rule(matrix, role, {"pk": Referral.objects.get(pk=kwargs["pk"]).case_id})


def rights_rule(matrix: Matrix, role: str, kwargs: dict) -> str:
    case = Case.objects.get(pk=kwargs["pk"])
    if case.anonymised_at is not None:
        return "hidden"
    if case.owner_id in _orgs(matrix, role, ("supervisor", "admin")):
        return "ok"
    if case.owner_id in _orgs(matrix, role, CASE_ROLES):
        return "forbidden"
    return "hidden"


def referral_rule(matrix: Matrix, role: str, kwargs: dict) -> str:
    referral = Referral.objects.get(pk=kwargs["pk"])
    mine = _orgs(matrix, role, CASE_ROLES)
    if referral.from_organisation_id in mine:
        return "ok"
    if referral.state != State.DRAFT and referral.to_organisation_id in mine:
        return "ok"
    return "hidden"


def sender_rule(matrix: Matrix, role: str, kwargs: dict) -> str:
    """What only the sending organisation does (its consent, its drafts): the receiver, who
    reads the referral, may not (403) or does not even read what it is about (404)."""
    referral = Referral.objects.get(pk=kwargs["pk"])
    if referral.from_organisation_id in _orgs(matrix, role, CASE_ROLES):
        return "ok"
    return "forbidden" if referral_rule(matrix, role, kwargs) == "ok" else "hidden"


def consent_sender_rule(matrix: Matrix, role: str, kwargs: dict) -> str:
    """The person's consent is the case's: gone with an anonymised case."""
    if Referral.objects.get(pk=kwargs["pk"]).case.anonymised_at is not None:
        return "hidden"
    return "ok" if sender_rule(matrix, role, kwargs) == "ok" else "hidden"


def convener_rule(matrix: Matrix, role: str, kwargs: dict) -> str:
    """Setting up a coordination group: supervisors and admins of an organisation, and
    platform admins."""
    user = matrix.users[role]
    if user is not None and user.is_active and user.is_superuser:
        return "ok"
    return "ok" if _orgs(matrix, role, ("supervisor", "admin")) else "forbidden"


def member_rule(matrix: Matrix, role: str, kwargs: dict) -> str:
    return "ok" if _orgs(matrix, role) else "hidden"


def role_rule(*roles: str) -> Callable[[Matrix, str, dict], str]:
    """Pages of the organisation one acts for, for some of its roles only."""

    def rule(matrix: Matrix, role: str, kwargs: dict) -> str:
        return "ok" if _orgs(matrix, role, roles) else "hidden"

    return rule


def onwards_rule(matrix: Matrix, role: str, kwargs: dict) -> str:
    """Referring onwards makes a new referral of the case: not once the case is anonymised."""
    if Referral.objects.get(pk=kwargs["pk"]).case.anonymised_at is not None:
        return "hidden"
    return referral_rule(matrix, role, kwargs)


def signed_in_rule(matrix: Matrix, role: str, kwargs: dict) -> str:
    return "ok"


def public_rule(matrix: Matrix, role: str, kwargs: dict) -> str:
    return "public"


def scraper_rule(matrix: Matrix, role: str, kwargs: dict) -> str:
    """/metrics: for the bearer of METRICS_TOKEN only, whoever is signed in (test_metrics)."""
    return "hidden_anyone"


def org_admin_rule(matrix: Matrix, role: str, kwargs: dict) -> str:
    """An organisation's profile, services and members: its admins, and platform admins (no
    personal data of the people it helps is there)."""
    user = matrix.users[role]
    if kwargs["pk"] in _orgs(matrix, role, ("admin",)) or (user and user.is_superuser):
        return "ok"
    return "hidden_or_forbidden"


def group_of(kind: str, kwargs: dict) -> CoordinationGroup:
    model = {
        "group": CoordinationGroup,
        "meeting": Meeting,
        "sitting": Meeting,
        "action": ActionItem,
        "alert": Alert,
        "plan": ContingencyPlan,
        "action_plan": ActionPlan,
        "pathway": Pathway,
        "terms": TermsOfReference,
    }.get(kind)
    if kind == "report_period":
        kind = "indicator"
    if kind in ("objective", "activity", "indicator"):
        model = {"objective": Objective, "activity": Activity, "indicator": Indicator}[kind]
        return model.objects.get(pk=kwargs["pk"]).plan.group
    if kind == "report":
        return IndicatorReport.objects.get(pk=kwargs["pk"]).indicator.plan.group
    if kind == "agenda":
        from coordination.models import AgendaItem

        return AgendaItem.objects.get(pk=kwargs["pk"]).occurrence.meeting.group
    obj = model.objects.get(pk=kwargs["pk"])
    return obj if isinstance(obj, CoordinationGroup) else obj.group


def group_rule(kind: str) -> Callable[[Matrix, str, dict], str]:
    def rule(matrix: Matrix, role: str, kwargs: dict) -> str:
        group = group_of(kind, kwargs)
        user = matrix.users[role]
        mine = _orgs(matrix, role)
        if not mine:
            return "hidden"  # coordinator rights end with the last active membership
        members = set(group.members.values_list("pk", flat=True)) | {
            group.convening_organisation_id
        }
        if mine & members or group.coordinators.filter(pk=user.pk).exists():
            return "ok"
        return "hidden"

    return rule


def own_rule(matrix: Matrix, role: str, kwargs: dict) -> str:
    notification = Notification.objects.get(pk=kwargs["pk"])
    user = matrix.users[role]
    return "ok" if user is not None and notification.recipient_id == user.pk else "hidden"


def staff_rule(matrix: Matrix, role: str, kwargs: dict) -> str:
    user = matrix.users[role]
    return "ok" if user is not None and user.is_active and user.is_staff else "staff_only"


def platform_admin_rule(matrix: Matrix, role: str, kwargs: dict) -> str:
    """Onboarding a directory: platform admins only; anyone else is told nothing is there."""
    user = matrix.users[role]
    return "ok" if user is not None and user.is_active and user.is_superuser else "hidden"


def feed_rule(matrix: Matrix, role: str, kwargs: dict) -> str:
    return "public" if kwargs["token"] != "x" * len(kwargs["token"]) else "hidden_anyone"


@dataclass(frozen=True)
class Route:
    objects: str
    rule: Callable[[Matrix, str, dict], str]
    # A page that only answers POST (GET: 405), or a route whose success is a redirect.
    post_only: bool = False
    ok: tuple[int, ...] = (200,)
    # An API operation that only answers PATCH or PUT (asked with an empty body): GET and POST
    # get 405.
    write_only: str = ""


R = Route
GROUP = group_rule
ROUTES: dict[str, Route] = {
    # Project pages
    "home": R("none", signed_in_rule),
    "health": R("none", public_rule),
    "metrics": R("none", scraper_rule),
    "login": R("none", public_rule, ok=(200, 302)),
    "logout": R("none", public_rule, post_only=True, ok=(302, 200)),
    "password_change": R("none", signed_in_rule),
    "password_change_done": R("none", signed_in_rule),
    "password_reset": R("none", public_rule),
    "password_reset_done": R("none", public_rule),
    "password_reset_confirm": R("reset", public_rule, ok=(200, 302)),
    "password_reset_complete": R("none", public_rule),
    "set_language": R("none", public_rule, post_only=True, ok=(302,)),
    "two_factor:overview": R("none", signed_in_rule),
    "two_factor:setup": R("none", signed_in_rule),
    "two_factor:verify": R("none", signed_in_rule, ok=(200, 302)),
    "two_factor:backup-codes": R("none", signed_in_rule, post_only=True, ok=(302, 200)),
    "two_factor:disable": R("none", signed_in_rule, post_only=True, ok=(302,)),
    "schema": R("none", signed_in_rule),
    "api-docs": R("none", signed_in_rule),
    # Notifications
    "notifications:list": R("none", signed_in_rule),
    "notifications:read-all": R("none", signed_in_rule, post_only=True, ok=(302,)),
    "notifications:preferences": R("none", signed_in_rule),
    "notifications:open": R("notification", own_rule, post_only=True, ok=(302,)),
    "notifications:read": R("notification", own_rule, post_only=True, ok=(302,)),
    # Organisations and the directory
    "organisations:list": R("none", signed_in_rule),
    "organisations:import": R("none", platform_admin_rule),
    "organisations:import-template": R("none", platform_admin_rule),
    # Without a valid choice of one's own organisations: 404.
    "organisations:switch": R("none", signed_in_rule, post_only=True, ok=(302, 404)),
    "organisations:services": R("none", signed_in_rule),
    "organisations:matrix": R("none", signed_in_rule),
    # The partnership has no document: 404 for everyone, signed in.
    "organisations:partnership-document": R("partnership", signed_in_rule, ok=(404,)),
    "organisations:detail": R("organisation", signed_in_rule),
    "organisations:edit": R("organisation", org_admin_rule),
    "organisations:service-create": R("organisation", org_admin_rule),
    "organisations:service-edit": R("service", org_admin_rule),
    "organisations:service-capacity": R("service", org_admin_rule, post_only=True, ok=(302,)),
    "organisations:service-archive": R("service", org_admin_rule, post_only=True, ok=(302,)),
    "organisations:members": R("organisation", org_admin_rule),
    "organisations:member-role": R("membership", org_admin_rule, post_only=True, ok=(302,)),
    "organisations:member-intake": R("membership", org_admin_rule, post_only=True, ok=(302,)),
    "organisations:member-deactivate": R("membership", org_admin_rule, post_only=True, ok=(302,)),
    "organisations:member-reactivate": R("membership", org_admin_rule, post_only=True, ok=(302,)),
    # Coordination
    "coordination:groups": R("none", signed_in_rule),
    "coordination:group-create": R("none", convener_rule),
    "coordination:group": R("group", GROUP("group")),
    "coordination:group-edit": R("group", GROUP("group"), ok=(200, 403, 404)),
    "coordination:meeting-create": R("group", GROUP("group"), ok=(200, 403, 404)),
    "coordination:alert-create": R("group", GROUP("group"), ok=(200, 403, 404)),
    "coordination:plan-create": R("group", GROUP("group"), ok=(200, 403, 404)),
    "coordination:upcoming": R("none", signed_in_rule),
    "coordination:calendar": R("none", signed_in_rule),
    "coordination:meeting": R("meeting", GROUP("meeting")),
    "coordination:meeting-edit": R("meeting", GROUP("meeting"), ok=(200, 403, 404)),
    "coordination:meeting-cancel": R("meeting", GROUP("meeting"), ok=(200, 302, 403)),
    "coordination:meeting-ics": R("meeting", GROUP("meeting")),
    "coordination:sitting": R("sitting", GROUP("sitting")),
    "coordination:sitting-cancel": R("sitting", GROUP("sitting"), post_only=True, ok=(302, 403)),
    "coordination:sitting-reinstate": R("sitting", GROUP("sitting"), post_only=True, ok=(302, 403)),
    "coordination:sitting-move": R("sitting", GROUP("sitting"), ok=(200, 403)),
    "coordination:agenda-propose": R(
        "sitting", GROUP("sitting"), post_only=True, ok=(200, 302, 403)
    ),
    "coordination:attendance": R("sitting", GROUP("sitting"), post_only=True, ok=(200, 302, 403)),
    "coordination:minutes": R("sitting", GROUP("sitting"), ok=(200, 302, 403)),
    "coordination:decision-add": R("sitting", GROUP("sitting"), post_only=True, ok=(200, 302, 403)),
    "coordination:action-create": R(
        "sitting", GROUP("sitting"), post_only=True, ok=(200, 302, 403)
    ),
    "coordination:agenda-action": R("agenda", GROUP("agenda"), post_only=True, ok=(302, 403)),
    "coordination:my-actions": R("none", signed_in_rule),
    "coordination:action-update": R("action", GROUP("action"), post_only=True, ok=(200, 302, 403)),
    "coordination:alert": R("alert", GROUP("alert")),
    "coordination:alert-acknowledge": R("alert", GROUP("alert"), post_only=True, ok=(302, 403)),
    "coordination:plan": R("plan", GROUP("plan")),
    "coordination:plan-edit": R("plan", GROUP("plan"), ok=(200, 403)),
    "coordination:plan-reviewed": R("plan", GROUP("plan"), post_only=True, ok=(302, 403)),
    # The mechanism: members read; coordinators write; the lead organisation's supervisors and
    # admins report (403 for the other members).
    "coordination:terms": R("group", GROUP("group")),
    "coordination:terms-create": R("group", GROUP("group"), ok=(200, 403)),
    "coordination:terms-version": R("terms", GROUP("terms")),
    "coordination:terms-edit": R("terms", GROUP("terms"), ok=(200, 302, 403)),
    "coordination:terms-adopt": R("terms", GROUP("terms"), post_only=True, ok=(302, 403)),
    "coordination:terms-endorse": R("terms", GROUP("terms"), post_only=True, ok=(302, 403)),
    "coordination:pathways": R("group", GROUP("group")),
    "coordination:pathway-create": R("group", GROUP("group"), ok=(200, 403)),
    "coordination:pathway": R("pathway", GROUP("pathway")),
    "coordination:pathway-edit": R("pathway", GROUP("pathway"), ok=(200, 403)),
    "coordination:pathway-adopt": R("pathway", GROUP("pathway"), post_only=True, ok=(302, 403)),
    "coordination:action-plans": R("group", GROUP("group")),
    "coordination:action-plan-create": R("group", GROUP("group"), ok=(200, 403)),
    "coordination:action-plan": R("action_plan", GROUP("action_plan")),
    "coordination:action-plan-edit": R("action_plan", GROUP("action_plan"), ok=(200, 403)),
    "coordination:plan-progress": R("action_plan", GROUP("action_plan")),
    "coordination:objective-create": R("action_plan", GROUP("action_plan"), ok=(200, 403)),
    "coordination:activity-create": R("action_plan", GROUP("action_plan"), ok=(200, 403)),
    "coordination:activity-edit": R("activity", GROUP("activity"), ok=(200, 403)),
    "coordination:indicator-create": R("action_plan", GROUP("action_plan"), ok=(200, 403)),
    "coordination:indicator-edit": R("indicator", GROUP("indicator"), ok=(200, 403)),
    "coordination:plan-report": R("report_period", GROUP("report_period"), ok=(200, 403)),
    "coordination:commitments": R("none", signed_in_rule),
    # Open data (Open Referral HSDS): anyone, signed in or not, reads the public directory.
    "hsds-about": R("none", public_rule),
    "hsds-services": R("none", public_rule),
    "hsds-service": R("hsds_service", public_rule),
    "hsds-organizations": R("none", public_rule),
    "hsds-datapackage": R("none", public_rule),
    "hsds-organization": R("hsds_organization", public_rule),
    "findhelp:start": R("none", public_rule, ok=(302,)),
    "findhelp:service-worker": R("none", public_rule),
    "findhelp:directory": R("findhelp_language", public_rule),
    "findhelp:pathways": R("findhelp_language", public_rule),
    "findhelp:manifest": R("findhelp_language", public_rule),
    "coordination:feed-settings": R("none", signed_in_rule),
    "coordination:feed-regenerate": R("none", signed_in_rule, post_only=True, ok=(302,)),
    "coordination:feed-revoke": R("none", signed_in_rule, post_only=True, ok=(302,)),
    "coordination:feed": R("feed", feed_rule),
    # Statistics
    "insight:referrals": R("none", member_rule, ok=(200, 403, 404)),
    "insight:profile": R("none", member_rule, ok=(200, 403, 404)),
    "stats-referrals": R("none", signed_in_rule, ok=(200, 400, 403)),
    "stats-profile": R("none", signed_in_rule, ok=(200, 400, 403)),
    # Cases and referrals (web)
    "referrals:case-list": R("none", signed_in_rule),
    "referrals:case-create": R("none", role_rule("caseworker", "supervisor")),
    "referrals:access-log": R("none", role_rule("supervisor")),
    "referrals:rights-lookup": R("none", role_rule("supervisor", "admin")),
    "referrals:case-detail": R("case", case_rule),
    "referrals:case-edit": R("case", case_rule),
    "referrals:external-create": R("case", case_rule),
    "referrals:external-detail": R("external", external_rule),
    "referrals:external-slip": R("external", external_rule),
    "referrals:external-outcome": R("external", external_rule, post_only=True, ok=(400,)),
    "referrals:slip": R("referral", slip_rule),
    "referrals:consent-create": R("case", case_rule, post_only=True, ok=(302, 400)),
    "referrals:consent-withdraw": R("consent", case_rule, post_only=True, ok=(302,)),
    "referrals:referral-create": R("case", case_rule),
    "referrals:rights": R("case", rights_rule),
    "referrals:subject-access": R("case", rights_rule),
    "referrals:erase": R("case", rights_rule, post_only=True, ok=(400,)),
    "referrals:list": R("none", signed_in_rule),
    "referrals:detail": R("referral", referral_rule),
    "referrals:referral-consent": R("referral", consent_sender_rule, post_only=True, ok=(302, 400)),
    "referrals:discard": R("referral", sender_rule, post_only=True, ok=(302,)),
    "referrals:refer-onwards": R("referral", onwards_rule, post_only=True, ok=(302, 403, 409)),
    "referrals:action": R("referral_action", referral_rule, ok=(200, 302, 403, 405)),
    # API
    "api-token": R("none", public_rule, post_only=True, ok=(400, 429)),
    "api-logout": R("none", signed_in_rule, post_only=True, ok=(204,)),
    "api-logout-all": R("none", signed_in_rule, post_only=True, ok=(204,)),
    "organisation-list": R("none", signed_in_rule),
    "organisation-detail": R("api_organisation", signed_in_rule),
    "organisation-members": R("api_organisation", org_admin_rule, ok=(200, 201, 400)),
    "organisation-membership": R("api_membership", org_admin_rule, write_only="patch"),
    "service-list": R("none", signed_in_rule),
    "service-detail": R("api_service", signed_in_rule),
    "partnership-document": R("partnership", signed_in_rule, ok=(404,)),  # none uploaded here
    "service-matrix": R("none", signed_in_rule, ok=(400,)),  # which city? (tested elsewhere)
    "case-list": R("none", signed_in_rule),
    "case-detail": R("case", case_rule),
    "case-consents": R("case", case_rule, post_only=True, ok=(400,)),
    "case-consent-withdraw": R("api_consent", case_rule, post_only=True, ok=(200,)),
    "case-subject-access": R("case", rights_rule),
    # Which reference? (a 400 for anyone signed in; found or not is tested in test_privacy)
    "case-by-reference": R("none", signed_in_rule, ok=(400,)),
    "case-erase": R("case", rights_rule, post_only=True, ok=(400,)),
    "referral-list": R("none", signed_in_rule),
    # Off the platform: each sees their organisations' own (an empty list for others).
    "external-referral-list": R("none", signed_in_rule),
    "external-referral-detail": R("external", external_rule),
    "external-referral-outcome": R("external", external_rule, post_only=True, ok=(400,)),
    "unlisted-organisation-list": R("none", signed_in_rule),
    "dashboard": R("none", signed_in_rule),
    # Supervisors read their organisation's log; anyone else signed in: 403.
    "access-log-list": R("none", signed_in_rule, ok=(200, 403)),
    "referral-detail": R("referral", referral_rule),
    "referral-events": R("referral", referral_rule),
    "referral-refer-onwards": R("referral", onwards_rule, post_only=True, ok=(200, 403, 409)),
    **{
        f"referral-{name}": R(
            "referral", referral_rule, post_only=True, ok=(200, 201, 400, 403, 409)
        )
        for name in (
            "accept",
            "approve",
            "assign",
            "comment",
            "complete",
            "decline",
            "hold",
            "reject",
            "resume",
            "start",
            "submit",
            "withdraw",
        )
    },
    "notification-list": R("none", signed_in_rule),
    "notification-read-all": R("none", signed_in_rule, post_only=True, ok=(200,)),
    "notification-preferences": R("none", signed_in_rule),
    "notification-read": R("notification", own_rule, post_only=True, ok=(200, 204)),
    "coordination-group-list": R("none", signed_in_rule),
    "coordination-group-detail": R("group", GROUP("group")),
    "meeting-list": R("none", signed_in_rule),
    "meeting-detail": R("meeting", GROUP("meeting")),
    # Members see the meeting; what only coordinators do is a 403 for them (as on the web).
    "meeting-sitting": R("sitting", GROUP("sitting")),
    "meeting-cancel": R("meeting", GROUP("meeting"), post_only=True, ok=(200, 403, 409)),
    **{
        f"meeting-sitting-{name}": R(
            "sitting", GROUP("sitting"), post_only=True, ok=(200, 201, 400, 403, 409)
        )
        for name in ("cancel", "reinstate", "move", "agenda", "attendance", "decisions")
    },
    "meeting-sitting-minutes": R("sitting", GROUP("sitting"), write_only="put", ok=(200, 403)),
    "contingency-plan-list": R("none", signed_in_rule),
    "contingency-plan-detail": R("plan", GROUP("plan")),
    "contingency-plan-reviewed": R("plan", GROUP("plan"), post_only=True, ok=(200, 403)),
    # The mechanism: members read; coordinators write (403 for the other members).
    "plan-list": R("none", signed_in_rule),
    "plan-detail": R("action_plan", GROUP("action_plan")),
    "plan-progress": R("action_plan", GROUP("action_plan")),
    "plan-objective-list": R("none", signed_in_rule),
    "plan-objective-detail": R("objective", GROUP("objective")),
    "plan-activity-list": R("none", signed_in_rule),
    "plan-activity-detail": R("activity", GROUP("activity")),
    "indicator-list": R("none", signed_in_rule),
    "indicator-detail": R("indicator", GROUP("indicator")),
    "indicator-report-list": R("none", signed_in_rule),
    "indicator-report-detail": R("report", GROUP("report")),
    "pathway-list": R("none", signed_in_rule),
    "pathway-detail": R("pathway", GROUP("pathway")),
    "pathway-adopt": R("pathway", GROUP("pathway"), post_only=True, ok=(400, 403)),
    "terms-list": R("none", signed_in_rule),
    "terms-detail": R("terms", GROUP("terms")),
    "terms-adopt": R("terms", GROUP("terms"), post_only=True, ok=(400, 403)),
    "terms-endorse": R("terms", GROUP("terms"), post_only=True, ok=(400, 403)),
    "coordination-group-terms": R("group", GROUP("group")),
    "alert-list": R("none", signed_in_rule),
    "alert-detail": R("alert", GROUP("alert")),
    "alert-acknowledge": R("alert", GROUP("alert"), post_only=True, ok=(201, 403, 409)),
    "calendar-feed": R("none", signed_in_rule),
    "calendar-feed-regenerate": R("none", signed_in_rule, post_only=True),
    "calendar-feed-revoke": R("none", signed_in_rule, post_only=True),
    "agenda-item-move": R("api_agenda", GROUP("agenda"), post_only=True, ok=(400, 403)),
    "agenda-item-decide": R("api_agenda", GROUP("agenda"), post_only=True, ok=(400, 403)),
    "meeting-ics": R("meeting", GROUP("meeting")),
    "action-item-list": R("none", signed_in_rule),
    "action-item-detail": R("action", GROUP("action")),
}
ADMIN = R("none", staff_rule, ok=(200,))


def project_routes() -> list[tuple[str, str]]:
    """(name, pattern) of every route the resolver knows, namespaces included."""

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                yield namespace + (pattern.name or ""), prefix + str(pattern.pattern)

    return list(walk(get_resolver().url_patterns))


def test_every_route_has_an_entry():
    missing = sorted(
        f"{name or '(unnamed)'} {pattern}"
        for name, pattern in project_routes()
        if not name.startswith("admin:") and name not in ROUTES
    )
    assert missing == [], "routes without an entry in the matrix:\n" + "\n".join(missing)
    stale = sorted(set(ROUTES) - {name for name, _ in project_routes()})
    assert stale == []


# Asking ------------------------------------------------------------------------------------------


def client_for(matrix: Matrix, role: str) -> Client:
    client = Client()
    user = matrix.users[role]
    if user is not None:
        client.force_login(user)
    return client


def _ask(client: Client, method: str, url: str):
    with transaction.atomic():
        if method in ("patch", "put"):
            response = getattr(client, method)(url, "{}", content_type="application/json")
        else:
            response = getattr(client, method)(url)
        transaction.set_rollback(True)
    return response


def _denied(response, *, api: bool, role: str, admin: bool = False) -> bool:
    status = response.status_code
    if role in SIGNED_OUT:
        if api:
            return status in (401, 403)
        target = "/admin/login/" if admin else "/accounts/login/"
        return status == 302 and response["Location"].startswith(target)
    return status in (403, 404, 405) or (
        admin and status == 302 and response["Location"].startswith("/admin/login/")
    )


def _leaks(response) -> list[str]:
    body = response.content.decode(errors="replace")
    return [secret for secret in SECRETS if secret in body]


def _expected_ok(route: Route, method: str) -> tuple[int, ...]:
    """A permitted role's answers: the route's own method succeeds, the others are 405."""
    made_for = route.write_only or ("post" if route.post_only else "get")
    return route.ok if method == made_for else (405,)


def judge(  # noqa: PLR0911 - a decision table reads best as one return per row
    route: Route, verdict: str, *, role: str, method: str, response, url: str
) -> str:
    """What is wrong with this answer ("" when it is right)."""
    status = response.status_code
    api = url.startswith("/api/")
    expected_ok = _expected_ok(route, method)
    if status >= 500:
        return "server error"
    if verdict == "public":
        # Open to anyone: the method it is made for answers as it should; the other one is free.
        if (method == "post") != route.post_only or status in (*route.ok, 302, 403, 405):
            return ""
        return f"public: expected {route.ok}"
    if verdict == "hidden_anyone":
        return "" if status in (404, 405) else "expected 404 for anyone"
    if role in SIGNED_OUT:
        return "" if _denied(response, api=api, role=role) else "signed out: expected sign-in"
    if verdict == "ok":
        if method == "post" and not route.post_only and not route.write_only:
            # A form posted empty: re-shown with errors, or done; never refused.
            refused = status == 404 and 404 not in route.ok
            return "a permitted role was refused" if refused else ""
        return "" if status in expected_ok else f"expected {expected_ok}"
    # Not theirs: the same as a missing object, and nothing of the person.
    if verdict == "forbidden":
        return "" if status in (403, 405) else "expected 403"
    if verdict == "staff_only":
        denied = _denied(response, api=False, role=role, admin=True)
        return "" if denied else "expected the admin's sign-in"
    if not _denied(response, api=api, role=role):
        return "expected 404"
    if verdict == "hidden" and status == 403 and method == "get" and route.objects != "none":
        return "403 tells that it exists: expected 404"
    return ""


def check(matrix: Matrix, name: str, route: Route) -> list[str]:
    problems = []
    for variant, kwargs in matrix.objects[route.objects].items():
        url = reverse(name, kwargs=kwargs or None)
        for role in ROLES:
            client = client_for(matrix, role)
            verdict = route.rule(matrix, role, kwargs)
            for method in ("get", "post", *((route.write_only,) if route.write_only else ())):
                response = _ask(client, method, url)
                where = f"{method.upper()} {name} [{variant}] as {role}: {response.status_code}"
                problem = judge(
                    route, verdict, role=role, method=method, response=response, url=url
                )
                if problem:
                    problems.append(f"{where} ({problem})")
                if verdict not in ("ok", "public") and _leaks(response):
                    problems.append(f"{where} leaks {_leaks(response)}")
    return problems


@pytest.fixture
def matrix(db) -> Matrix:
    return build(build_world())


SECTIONS = {
    "referrals": ("referrals:", "case-", "referral-"),
    "organisations": ("organisations:", "organisation-", "service-"),
    "coordination": ("coordination", "meeting-", "action-item-"),
    "other": ("notifications:", "notification-", "insight:", "stats-"),
}
GROUPS = {
    section: [n for n in ROUTES if n.startswith(prefixes)] for section, prefixes in SECTIONS.items()
}
GROUPS["project"] = [n for n in ROUTES if not any(n in names for names in GROUPS.values())]


@pytest.mark.slow
@pytest.mark.parametrize("section", list(GROUPS))
def test_route_matrix(matrix, section):
    problems = []
    for name in GROUPS[section]:
        problems += check(matrix, name, ROUTES[name])
    assert problems == [], "\n".join(problems)


@pytest.mark.slow
def test_admin_site_is_for_staff_only(matrix):
    problems = []
    for name, _ in project_routes():
        if not name.startswith("admin:") or name in ("admin:login", "admin:logout"):
            continue
        try:
            url = reverse(name)
        except Exception:  # noqa: BLE001, S112 - routes with arguments: the index stands for them
            continue
        for role in ROLES:
            response = _ask(client_for(matrix, role), "get", url)
            verdict = staff_rule(matrix, role, {})
            if verdict == "ok":
                if response.status_code >= 500:
                    problems.append(f"{name} as {role}: {response.status_code}")
            elif not _denied(response, api=False, role=role, admin=True):
                problems.append(f"{name} as {role}: {response.status_code}")
            if _leaks(response):
                problems.append(f"{name} as {role} leaks {_leaks(response)}")
    assert problems == [], "\n".join(problems)
