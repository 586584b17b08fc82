"""The referral API (cases, consents, referrals, transitions, events). Thin: services decide."""

from __future__ import annotations

from dataclasses import asdict

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from config.errors import object_id
from config.pagination import NewestFirst
from organisations.models import Membership, Role
from organisations.selectors import memberships_of
from referrals import permissions, privacy, selectors, services
from referrals.api.serializers import (
    CaseFilterSerializer,
    CaseReferenceSerializer,
    CaseSerializer,
    ConsentSerializer,
    ErasureRequestSerializer,
    ErasureSerializer,
    ReferenceQuerySerializer,
    ReferralCreatedSerializer,
    ReferralCreateSerializer,
    ReferralEventSerializer,
    ReferralFilterSerializer,
    ReferralPatchSerializer,
    ReferralSerializer,
    SubjectAccessSerializer,
)
from referrals.api.transitions import TRANSITIONS, CommentRequiredBody, Transition
from referrals.exceptions import NotVisible
from referrals.models import AccessAction, AccessChannel, Case, Consent, Referral


class CaseViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Cases of the user's organisations (their caseworkers and supervisors only)."""

    serializer_class = CaseSerializer
    pagination_class = NewestFirst
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Case]:
        return selectors.case_list(user=self.request.user).prefetch_related("consents")

    @extend_schema(parameters=[CaseFilterSerializer])
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        filters = CaseFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        options = filters.validated_data
        cases = self.get_queryset()
        if "organisation" in options:
            cases = cases.filter(owner_id=options["organisation"])
        if options.get("search"):
            cases = selectors.case_search(cases, options["search"])
        page = self.paginate_queryset(cases)
        services.access_record(
            user=request.user, cases=page, action=AccessAction.LIST, channel=AccessChannel.API
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, *args: object, **kwargs: object) -> Response:
        case = self.get_object()
        services.access_record(user=request.user, cases=[case], channel=AccessChannel.API)
        return Response(self.get_serializer(case).data)

    def perform_create(self, serializer: CaseSerializer) -> None:
        data = dict(serializer.validated_data)
        organisation = data.pop("owner", None)
        if organisation is None:
            choices = [
                m.organisation
                for m in memberships_of(self.request.user)
                if m.role in (Role.CASEWORKER, Role.SUPERVISOR)
            ]
            if len(choices) != 1:
                raise ValidationError(
                    {"organisation": [_("Say which organisation owns the case.")]}
                )
            organisation = choices[0]
        serializer.instance = services.case_create(
            actor=self.request.user, organisation=organisation, **data
        )

    def perform_update(self, serializer: CaseSerializer) -> None:
        data = dict(serializer.validated_data)
        if "owner" in data and data.pop("owner") != serializer.instance.owner:
            raise ValidationError({"organisation": [_("A case keeps its organisation.")]})
        serializer.instance = services.case_update(
            case=serializer.instance, actor=self.request.user, **data
        )

    @extend_schema(request=ConsentSerializer, responses={201: ConsentSerializer})
    @action(detail=True, methods=["post"], url_path="consents")
    def consents(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        serializer = ConsentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent = services.consent_record(
            case=case,
            actor=request.user,
            recipient=serializer.validated_data["recipient"],
            fields=serializer.validated_data["fields"],
        )
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ConsentSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path=r"consents/(?P<consent_id>[0-9]+)/withdraw",
        url_name="consent-withdraw",
    )
    def consent_withdraw(
        self, request: Request, pk: str | None = None, consent_id: str = ""
    ) -> Response:
        case = self.get_object()
        consent = Consent.objects.filter(case=case, pk=consent_id).first()
        if consent is None:
            raise NotVisible()
        consent = services.consent_withdraw(consent=consent, actor=request.user)
        return Response(ConsentSerializer(consent).data)

    @extend_schema(
        summary="Everything held about the person (subject access)",
        description="For supervisors and organisation admins of the owning organisation; the "
        "export is written to the access log. 403 for its caseworkers, 404 for others.",
        responses={200: SubjectAccessSerializer},
    )
    @action(detail=True, methods=["get"], url_path="subject-access")
    def subject_access(self, request: Request, pk: str | None = None) -> Response:
        case = privacy.rights_case(request.user, pk)
        return Response(
            privacy.subject_access(case=case, actor=request.user, channel=AccessChannel.API)
        )

    @extend_schema(
        parameters=[ReferenceQuerySerializer],
        responses={200: CaseReferenceSerializer},
        summary="Find a record by the reference the person holds",
        description="For a person's request (access, erasure): supervisors and admins of the "
        "owning organisation find the record without browsing. 404 for anyone else.",
        extensions={"x-finds-one": True},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="by-reference",
        pagination_class=None,
        filter_backends=[],
    )
    def by_reference(self, request: Request) -> Response:
        query = ReferenceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        case = privacy.rights_case_by_reference(request.user, query.validated_data["reference"])
        if case is None:
            raise NotVisible()
        return Response({"id": case.pk, "reference": case.reference})

    @extend_schema(
        summary="Erase the person's record at their request",
        description="Withdraws the open referrals, then removes everything that identifies the "
        "person. Cannot be undone: the body repeats the case's reference. 409 when already "
        "erased.",
        request=ErasureRequestSerializer,
        responses={200: ErasureSerializer},
    )
    @action(detail=True, methods=["post"], url_path="erase")
    def erase(self, request: Request, pk: str | None = None) -> Response:
        case = privacy.rights_case(request.user, pk)
        serializer = ErasureRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        erasure = privacy.case_erase(
            case_id=case.pk,
            actor=request.user,
            reference=serializer.validated_data["reference"],
            channel=AccessChannel.API,
        )
        return Response(
            {
                "id": erasure.case.pk,
                "reference": erasure.case.reference,
                "anonymised_at": erasure.case.anonymised_at,
                "withdrawn_referrals": erasure.withdrawn,
            }
        )


class ReferralViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Referrals the user's organisations sent or received (``box=inbox|outbox``)."""

    serializer_class = ReferralSerializer
    pagination_class = NewestFirst
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Referral]:
        return permissions.referral_list_visible(self.request.user)

    # Representation -----------------------------------------------------------------------------

    def _context_for(
        self, referrals: list[Referral], memberships: list[Membership] | None = None
    ) -> dict:
        user = self.request.user
        if memberships is None:
            memberships = list(memberships_of(user))
        organisation_ids = {m.organisation_id for m in memberships}
        return {
            **self.get_serializer_context(),
            "shared_ids": permissions.referral_ids_with_shared_data(
                user, [r.pk for r in referrals]
            ),
            "sender_ids": {r.pk for r in referrals if r.from_organisation_id in organisation_ids},
        }

    def _respond(
        self, referral: Referral, *, code: int = 200, extra: dict | None = None
    ) -> Response:
        data = ReferralSerializer(referral, context=self._context_for([referral])).data
        if extra:
            data = {**data, **extra}
        return Response(data, status=code)

    # Reads --------------------------------------------------------------------------------------

    @extend_schema(parameters=[ReferralFilterSerializer])
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        filters = ReferralFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        options = dict(filters.validated_data)
        memberships = list(memberships_of(request.user))  # read once for the whole request
        organisation = None
        if "organisation" in options:
            organisation = next(
                (
                    m.organisation
                    for m in memberships
                    if m.organisation_id == options["organisation"]
                ),
                None,
            )
        if "organisation" in options and organisation is None:
            # Not one of the user's organisations: nothing of it is theirs to list.
            referrals = Referral.objects.none()
        else:
            referrals = selectors.referral_list(
                user=request.user,
                box=options.get("box", ""),
                organisation=organisation,
                state=options.get("state", ""),
                urgency=options.get("urgency", ""),
                category=options.get("category", ""),
                overdue=options.get("overdue"),
                assigned=options.get("assigned", ""),
                memberships=memberships,
            )
        page = self.paginate_queryset(referrals)
        context = self._context_for(page, memberships)
        services.access_record(
            user=request.user,
            referrals=[r for r in page if r.pk in context["shared_ids"]],
            action=AccessAction.LIST,
            channel=AccessChannel.API,
        )
        return self.get_paginated_response(
            ReferralSerializer(page, many=True, context=context).data
        )

    def retrieve(self, request: Request, pk: str | None = None, **kwargs: object) -> Response:
        referral = services.referral_open(
            referral_id=object_id(pk), actor=request.user, channel=AccessChannel.API
        )
        return self._respond(referral)

    @extend_schema(
        responses={200: ReferralEventSerializer(many=True)},
        summary="The referral's timeline, oldest first (one list, not paginated)",
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request: Request, pk: str | None = None) -> Response:
        referral = (
            Referral.objects.select_related("from_organisation", "to_organisation")
            .filter(pk=object_id(pk))
            .first()
        )
        if referral is None or not permissions.can_see(request.user, referral):
            raise NotVisible()
        free_text = permissions.can_read_free_text(request.user, referral)
        events = list(selectors.referral_events(referral))
        if free_text and any(event.text for event in events):
            services.access_record(
                user=request.user, referrals=[referral], channel=AccessChannel.API
            )
        return Response(
            ReferralEventSerializer(events, many=True, context={"free_text": free_text}).data
        )

    # Writes -------------------------------------------------------------------------------------

    @extend_schema(request=ReferralCreateSerializer, responses={201: ReferralCreatedSerializer})
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = ReferralCreateSerializer(
            data=request.data, cases=selectors.case_list(user=request.user)
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        warnings = selectors.referral_warnings(
            case=data["case"],
            service_category=data["service_category"],
            service=data.get("service"),
        )
        referral = services.referral_create(actor=request.user, **data)
        return self._respond(
            referral,
            code=status.HTTP_201_CREATED,
            extra={"warnings": [asdict(w) for w in warnings]},
        )

    @extend_schema(request=ReferralPatchSerializer, responses={200: ReferralSerializer})
    def partial_update(self, request: Request, pk: str | None = None, **kwargs: object) -> Response:
        serializer = ReferralPatchSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        referral = services.referral_update_draft(
            referral_id=object_id(pk), actor=request.user, **serializer.validated_data
        )
        return self._respond(referral)

    def update(self, request: Request, *args: object, **kwargs: object) -> Response:
        return self.partial_update(request, *args, **kwargs)

    def _visible_id(self, pk: str | None) -> int:
        """Invisible is missing (404) before the body is read: an invalid body tells a stranger
        nothing, not even that the referral exists."""
        referral_id = object_id(pk)
        if not permissions.can_see_id(self.request.user, referral_id):
            raise NotVisible()
        return referral_id

    @extend_schema(
        request=None,
        responses={200: ReferralSerializer},
        summary="Refer to the organisation a decline suggested",
        description="After a decline that names another organisation, the sender makes a linked "
        "draft to it (the same case, category, urgency and reason). Consent is per recipient: "
        "the draft needs its own before it is sent. A second call returns the same draft.",
    )
    @action(detail=True, methods=["post"], url_path="refer-onwards")
    def refer_onwards(self, request: Request, pk: str | None = None) -> Response:
        referral_id = self._visible_id(pk)
        draft = services.referral_refer_onwards(referral_id=referral_id, actor=request.user)
        return self._respond(draft)

    @extend_schema(
        request=CommentRequiredBody,
        responses={201: ReferralEventSerializer},
        summary="Write in the referral's timeline",
    )
    @action(detail=True, methods=["post"])
    def comment(self, request: Request, pk: str | None = None) -> Response:
        referral_id = self._visible_id(pk)
        body = CommentRequiredBody(data=request.data)
        body.is_valid(raise_exception=True)
        event = services.referral_comment(
            referral_id=referral_id, actor=request.user, text=body.validated_data["comment"]
        )
        return Response(ReferralEventSerializer(event).data, status=status.HTTP_201_CREATED)


def _assignee(user_id: int | None) -> object | None:
    """An id to a person. An unknown id becomes a person who is nobody's member, so that it gets
    the service's answer for a non-member, after the service has checked the actor's rights."""
    if user_id is None:
        return None
    User = get_user_model()  # noqa: N806
    return User.objects.filter(pk=user_id, is_active=True).first() or User(
        pk=user_id, is_active=False
    )


def _transition_action(name: str, transition: Transition):
    def fire(self: ReferralViewSet, request: Request, pk: str | None = None) -> Response:
        referral_id = self._visible_id(pk)
        serializer = transition.body(data=request.data)
        serializer.is_valid(raise_exception=True)
        body = dict(serializer.validated_data)
        if "assignee" in body:
            body["assignee"] = _assignee(body["assignee"])
        return self._respond(transition.call(referral_id, request.user, body))

    fire.__name__ = fire.__qualname__ = name
    fire = action(detail=True, methods=["post"], url_path=name, url_name=name)(fire)
    return extend_schema(
        request=transition.body,
        responses={200: ReferralSerializer},
        summary=transition.summary,
        description=f"Fire the `{name}` transition. 409 when the referral's state does not "
        "allow it; the response is the referral.",
    )(fire)


# One row of the table, one operation: the same shape for every transition.
for _name, _transition in TRANSITIONS.items():
    setattr(ReferralViewSet, _name, _transition_action(_name, _transition))
