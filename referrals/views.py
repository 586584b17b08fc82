"""Web pages for cases and referrals. Thin: forms in, the same services as the API out."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_fsm import can_proceed, has_transition_perm

from config.errors import NotAllowed, NotVisible, ServiceError
from organisations import names
from organisations import selectors as organisation_selectors
from organisations.models import CapacityStatus, Role
from referrals import box_counts, pathways, permissions, selectors, services
from referrals.forms import (
    AcceptForm,
    AssignForm,
    CaseForm,
    CaseSearchForm,
    CommentForm,
    CompleteForm,
    ConsentForm,
    DeclineForm,
    HoldForm,
    NoteForm,
    ReasonForm,
    RecipientConsentForm,
    ReferralFilterForm,
    ReferralForm,
    SubmitForm,
)
from referrals.models import (
    AWAITING_ANSWER,
    CLOSED_STATES,
    OPEN_STATES,
    AccessAction,
    Case,
    Consent,
    Referral,
    State,
)

PAGE_SIZE = 25


def _cursor(request: HttpRequest) -> int | None:
    try:
        return int(request.GET.get("before", "")) or None
    except ValueError:
        return None


def _visible_case(request: HttpRequest, pk: int) -> Case:
    case = selectors.case_list(user=request.user).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def _error(request: HttpRequest, error: ServiceError, form: object = None) -> None:
    fields = getattr(form, "fields", {})
    if form is not None and error.field in fields:
        form.add_error(error.field, str(error.message))
    else:
        messages.error(request, str(error.message))


# Cases ------------------------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    organisation = request.current.organisation
    form = CaseSearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    cases, next_cursor = selectors.keyset_page(
        selectors.case_list(user=request.user, organisation=organisation, search=search)
        if organisation
        else Case.objects.none(),
        before=_cursor(request),
        size=PAGE_SIZE,
    )
    services.access_record(user=request.user, cases=cases, action=AccessAction.LIST)
    can_create = request.current.membership is not None and request.current.membership.role in (
        Role.CASEWORKER,
        Role.SUPERVISOR,
    )
    return render(
        request,
        "referrals/case_list.html",
        {"cases": cases, "form": form, "next_cursor": next_cursor, "can_create": can_create},
    )


@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    membership = request.current.membership
    if membership is None or membership.role not in (Role.CASEWORKER, Role.SUPERVISOR):
        raise Http404
    organisation = membership.organisation
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_create(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except ServiceError as error:
            if error.status_code == 403:
                raise Http404 from None
            _error(request, error, form)
        else:
            messages.success(
                request,
                _("The person is registered as %(ref)s.") % {"ref": names.isolated(case.reference)},
            )
            return redirect("referrals:case-detail", pk=case.pk)
    return render(request, "referrals/case_form.html", {"form": form})


@login_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    form = CaseForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        services.case_update(case=Case.objects.get(pk=pk), actor=request.user, **form.cleaned_data)
        messages.success(request, _("The record was saved."))
        return redirect("referrals:case-detail", pk=pk)
    return render(request, "referrals/case_form.html", {"form": form, "case": case})


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    services.access_record(user=request.user, cases=[case])
    return _case_page(request, case, ConsentForm(case=case))


def _case_page(
    request: HttpRequest, case: Case, consent_form: ConsentForm, status: int = 200
) -> HttpResponse:
    """The case's page; a consent form that needs correcting comes back open, as typed."""
    can_manage = permissions.can_manage_case(request.user, case)
    return render(
        request,
        "referrals/case_detail.html",
        {
            "case": case,
            "consents": case.consents.select_related("recipient", "recorded_by"),
            "referrals": selectors.case_referrals(case),
            "consent_form": consent_form,
            "can_manage": can_manage,
            "external_referrals": selectors.case_external_referrals(case) if can_manage else [],
        },
        status=status,
    )


@login_required
@require_POST
def consent_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    form = ConsentForm(request.POST, case=case)
    if form.is_valid():
        try:
            services.consent_record(case=case, actor=request.user, **form.cleaned_data)
        except NotVisible as error:
            raise Http404 from error
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The consent was recorded."))
            return redirect("referrals:case-detail", pk=pk)
    return _case_page(request, case, form, status=400)


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    consent = Consent.objects.filter(case=case, pk=consent_pk).first()
    if consent is None:
        raise Http404
    try:
        services.consent_withdraw(consent=consent, actor=request.user)
    except ServiceError as error:
        _error(request, error)
    else:
        messages.success(
            request, _("The consent was withdrawn; open referrals it covered were withdrawn.")
        )
    return redirect("referrals:case-detail", pk=pk)


@login_required
def referral_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the recipient, say why, send (or keep a draft). Sending without the person's
    consent for the recipient creates nothing: the page asks for the consent inline (and offers
    a supervisor the emergency override), keeping everything typed."""
    case = _visible_case(request, pk)
    may_override = organisation_selectors.is_active_member(
        request.user, case.owner, (Role.SUPERVISOR,)
    )
    initial = {"service": request.GET.get("service")} if request.GET.get("service") else None
    form = ReferralForm(request.POST or None, case=case, initial=initial, may_override=may_override)
    warnings = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        recipient = data["to_organisation"]
        if request.POST.get("record_consent"):
            return _record_consent_inline(request, form, case)
        sending = bool(request.POST.get("send"))
        override = (data.get("override_justification") or "").strip()
        if (
            sending
            and not override
            and selectors.active_consent(case=case, recipient=recipient) is None
        ):
            return _referral_form(
                request, form, case, consent_form=RecipientConsentForm(prefix="consent")
            )
        with names.isolating():  # the organisation's name, inside a sentence of the page
            warnings = selectors.referral_warnings(
                case=case, service_category=data["service_category"], service=data["service"]
            )
        # The same warnings as the API's; here the sender confirms them before anything is saved.
        if warnings and not data["confirm_warnings"]:
            form.data = form.data.copy()
            form.data["confirm_warnings"] = "on"
        else:
            target = {
                "actor": request.user,
                "case": case,
                "to_organisation": recipient,
                "service_category": data["service_category"],
                "service": data["service"],
                "urgency": data["urgency"],
                "reason": data["reason"],
            }
            try:
                if sending:
                    referral = services.referral_send(**target, override_justification=override)
                else:
                    referral = services.referral_create(**target)
            except ServiceError as error:
                _error(request, error, form)
            else:
                if sending:
                    _sent(request, referral)
                else:
                    messages.success(request, _("The draft was saved."))
                return redirect("referrals:detail", pk=referral.pk)
    return _referral_form(request, form, case, warnings=warnings)


def _record_consent_inline(request: HttpRequest, form: ReferralForm, case: Case) -> HttpResponse:
    """The consent asked for by the referral form, for its recipient; the form comes back as
    it was typed, to be checked and sent."""
    recipient = form.cleaned_data["to_organisation"]
    consent_form: RecipientConsentForm | None = RecipientConsentForm(request.POST, prefix="consent")
    if consent_form.is_valid():
        try:
            services.consent_record(
                case=case,
                actor=request.user,
                recipient=recipient,
                fields=consent_form.cleaned_data["fields"],
            )
        except ServiceError as error:
            _error(request, error)
        else:
            messages.success(
                request,
                _("The consent for %(name)s was recorded. Check the referral and send it.")
                % {"name": names.isolated(recipient.name)},
            )
            consent_form = None
    return _referral_form(request, form, case, consent_form=consent_form)


def _referral_form(
    request: HttpRequest,
    form: ReferralForm,
    case: Case,
    *,
    consent_form: RecipientConsentForm | None = None,
    warnings: list | None = None,
) -> HttpResponse:
    recipient = form.cleaned_data.get("to_organisation") if form.is_bound else None
    followed = pathways.pathway_choices(request.user)
    chosen_service = form.cleaned_data.get("service") if form.is_bound else None
    category = (form.cleaned_data.get("service_category") if form.is_bound else "") or getattr(
        chosen_service, "category", ""
    )
    return render(
        request,
        "referrals/referral_form.html",
        {
            "form": form,
            "case": case,
            "pathways": followed,
            "guidance": pathways.guidance(
                case=case,
                pathways=followed,
                pathway_id=_int_or_none(request.GET.get("pathway")),
                category=category or "",
            ),
            "warnings": warnings or [],
            # Asked when the person's consent does not cover the recipient: record it here.
            "consent_form": consent_form,
            "recipient": recipient,
        },
    )


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


# Referrals --------------------------------------------------------------------------------------


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    box = request.GET.get("box", selectors.INBOX)
    if box not in (selectors.INBOX, selectors.OUTBOX, selectors.MODERATION):
        box = selectors.INBOX
    organisation = request.current.organisation
    form = ReferralFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    memberships = request.current.memberships
    in_box = selectors.referral_list(
        user=request.user, box=box, organisation=organisation, memberships=memberships
    )
    referrals = selectors.referral_filter(
        in_box,
        user=request.user,
        state=filters.get("state", ""),
        urgency=filters.get("urgency", ""),
        category=filters.get("category", ""),
        overdue=True if filters.get("overdue") else None,
        assigned=filters.get("assigned", ""),
    )
    if box == selectors.OUTBOX and organisation is not None:
        services.outbox_seen(user=request.user, organisation=organisation)
    rows, next_cursor = selectors.keyset_page(referrals, before=_cursor(request), size=PAGE_SIZE)
    shared = permissions.referral_ids_with_shared_data(request.user, [r.pk for r in rows])
    services.access_record(
        user=request.user, referrals=[r for r in rows if r.pk in shared], action=AccessAction.LIST
    )
    # Counted: the open work only, each count stopping at its cap. Ended referrals are most of
    # a box and grow without end; counting them on every view scanned the whole box (200 ms at a
    # city's scale, issue 13).
    # Kept until one of the box's referrals changes; the moderation box spans other
    # organisations' referrals: counted each time.
    owners = (
        [organisation.pk] if organisation is not None else [m.organisation_id for m in memberships]
    )
    counts = box_counts.state_counts(
        in_box,
        OPEN_STATES,
        reader=request.user,
        box=box,
        organisation_ids=owners if box != selectors.MODERATION else [],
    )
    return render(
        request,
        "referrals/referral_list.html",
        {
            "box": box,
            "form": form,
            "referrals": rows,
            "shared_ids": shared,
            "next_cursor": next_cursor,
            "counts": [
                (state, label, counts[state]) for state, label in State.choices if counts.get(state)
            ],
            "count_cap": selectors.COUNT_CAP,
            "closed_states": [(s, label) for s, label in State.choices if s in CLOSED_STATES],
            "has_moderation": selectors.referral_list(
                user=request.user, box=selectors.MODERATION, memberships=memberships
            ).exists(),
        },
    )


# (action, label, form class or None, css class). The page shows only what the user may fire.
# The page's actions in the order shown, with each button's style.
ACTIONS: list[tuple[str, str]] = [
    ("submit", ""),
    ("approve", ""),
    ("reject", "danger"),
    ("accept", ""),
    ("decline", "danger"),
    ("start", ""),
    ("hold", "secondary"),
    ("resume", ""),
    ("complete", ""),
    ("withdraw", "danger"),
]
ACTION_LABELS = {
    "submit": gettext_lazy("Send the referral"),
    "approve": gettext_lazy("Approve"),
    "reject": gettext_lazy("Reject"),
    "accept": gettext_lazy("Accept"),
    "decline": gettext_lazy("Decline"),
    "start": gettext_lazy("Start"),
    "hold": gettext_lazy("Put on hold"),
    "resume": gettext_lazy("Resume"),
    "complete": gettext_lazy("Record the outcome"),
    "withdraw": gettext_lazy("Withdraw"),
}


# The form each action asks for (the rest need none).
ACTION_FORMS: dict[str, type] = {
    "submit": SubmitForm,
    "approve": NoteForm,
    "reject": ReasonForm,
    "hold": HoldForm,
    "complete": CompleteForm,
    "withdraw": ReasonForm,
    "comment": CommentForm,
}


def _action_form(
    request: HttpRequest, referral: Referral, name: str, data: object = None
) -> forms.Form | None:
    """The form of one action of the referral page, blank or bound to what was sent. Each has
    ids of its own ("decline_note", "complete_note"): the forms share the page."""
    auto_id = f"{name}_%s"
    if name in ("accept", "assign"):
        form = (AssignForm if name == "assign" else AcceptForm)(
            data,
            organisation=referral.to_organisation,
            auto_id=auto_id,
            initial={"assignee": referral.assignee_id} if name == "assign" else None,
        )
        if data is None and name == "assign":
            form.fields.pop("comment")
        if (
            data is None
            and name == "accept"
            and not permissions.is_receiving_supervisor(request.user, referral)
        ):
            form.fields.pop("assignee")
        return form
    if name == "decline":
        return DeclineForm(data, referral=referral, auto_id=auto_id)
    form_class = ACTION_FORMS.get(name)
    return form_class(data, auto_id=auto_id) if form_class else None


def _available_actions(
    request: HttpRequest, referral: Referral, bound: dict[str, forms.Form]
) -> list[dict]:
    actions = []
    for name, css in ACTIONS:
        if name == "withdraw" and referral.state == State.DRAFT:
            continue  # a draft is discarded, not withdrawn (nothing was sent)
        method = getattr(referral, name)
        if not (can_proceed(method) and has_transition_perm(method, request.user)):
            continue
        form = bound.get(name) or _action_form(request, referral, name)
        if name == "submit":
            # Without consent only a supervisor may send (the override); the page asks the
            # others for the consent instead (``consent_form``).
            if not _consent_missing(referral):
                form = None
            elif not organisation_selectors.is_active_member(
                request.user, referral.from_organisation, (Role.SUPERVISOR,)
            ):
                continue
        actions.append({"name": name, "label": ACTION_LABELS[name], "form": form, "css": css})
    return actions


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, pk)


def _detail_page(
    request: HttpRequest, pk: int, bound: dict[str, forms.Form] | None = None
) -> HttpResponse:
    """The referral's page; a form sent from it that needs correcting comes back in
    ``bound``, with what was typed and the errors on their fields."""
    bound = bound or {}
    try:
        referral = services.referral_open(referral_id=pk, actor=request.user)
    except NotVisible:
        raise Http404 from None
    is_sender = permissions.is_sender(request.user, referral)
    assign_form = None
    if permissions.is_receiving_supervisor(request.user, referral) and referral.state in (
        State.ACCEPTED,
        State.IN_PROGRESS,
        State.ON_HOLD,
    ):
        assign_form = bound.get("assign") or _action_form(request, referral, "assign")
    comment_form = None
    if permissions.can_comment(request.user, referral):
        comment_form = bound.get("comment") or _action_form(request, referral, "comment")
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "awaiting_answer": AWAITING_ANSWER,  # the answer's deadline matters only until then
            "is_sender": is_sender,
            "show_shared_data": permissions.can_view_shared_data(request.user, referral),
            "show_free_text": permissions.can_read_free_text(request.user, referral),
            "events": selectors.referral_events(referral),
            "actions": _available_actions(request, referral, bound),
            "comment_form": comment_form,
            "assign_form": assign_form,
            "consent_form": bound.get("consent") or RecipientConsentForm(prefix="consent")
            if is_sender and referral.state == State.DRAFT and _consent_missing(referral)
            else None,
            "can_discard": is_sender and referral.state == State.DRAFT,
            "can_refer_onwards": is_sender
            and referral.state == State.DECLINED
            and referral.suggested_organisation_id is not None,
            "service_full": referral.service is not None
            and referral.service.capacity_status == CapacityStatus.FULL,
        },
    )


def _consent_missing(referral: Referral) -> bool:
    return selectors.active_consent(case=referral.case, recipient=referral.to_organisation) is None


@login_required
@require_POST
def referral_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """Record, from a draft, the person's consent for its recipient (then send it)."""
    referral = Referral.objects.select_related("case", "to_organisation").filter(pk=pk).first()
    # The sender's: the receiver reads the referral, not the case it was made from. Checked
    # before the form is read, so that an invalid form answers no differently.
    if referral is None or not permissions.can_manage_case(request.user, referral.case):
        raise Http404
    form = RecipientConsentForm(request.POST, prefix="consent")
    if form.is_valid():
        try:
            services.consent_record(
                case=referral.case,
                actor=request.user,
                recipient=referral.to_organisation,
                fields=form.cleaned_data["fields"],
            )
        except ServiceError as error:
            _error(request, error, form)
        else:
            messages.success(
                request,
                _("The consent for %(name)s was recorded; you can send the referral.")
                % {"name": names.isolated(referral.to_organisation.name)},
            )
            return redirect("referrals:detail", pk=pk)
    if not form.errors:  # refused for a reason that is no field's: said above the page
        return redirect("referrals:detail", pk=pk)
    response = _detail_page(request, pk, bound={"consent": form})
    response.status_code = 400
    return response


@login_required
@require_POST
def referral_discard(request: HttpRequest, pk: int) -> HttpResponse:
    referral = Referral.objects.filter(pk=pk).only("pk", "case_id").first()
    if referral is None or not permissions.can_view_referral(request.user, referral):
        raise Http404
    try:
        services.referral_discard(referral_id=pk, actor=request.user)
    except NotVisible:
        raise Http404 from None
    except NotAllowed as error:  # the receiver reads it; only the sender discards its drafts
        raise PermissionDenied(str(error.message)) from None
    except ServiceError as error:
        messages.error(request, str(error.message))
        return redirect("referrals:detail", pk=pk)
    messages.success(request, _("The draft was discarded."))
    return redirect("referrals:case-detail", pk=referral.case_id)


def _submit(request: HttpRequest, referral: Referral, *, override: str) -> HttpResponse:
    try:
        referral = services.referral_submit(
            referral_id=referral.pk, actor=request.user, override_justification=override
        )
    except ServiceError as error:
        messages.error(request, str(error.message))
    else:
        _sent(request, referral)
    return redirect("referrals:detail", pk=referral.pk)


def _sent(request: HttpRequest, referral: Referral) -> None:
    if referral.state == State.PENDING_MODERATION:
        messages.success(request, _("Sent to the coordinators for moderation."))
    else:
        messages.success(request, _("The referral was sent."))
    if referral.service is not None and referral.service.capacity_status == CapacityStatus.FULL:
        messages.warning(request, _("The service says it is full: expect a waiting list."))


def _run(
    request: HttpRequest,
    referral: Referral,
    action: str,
    call: Callable[[dict], object],
    done: str,
) -> HttpResponse:
    """Run one action; a form that needs correcting comes back on the referral's page as it
    was typed, its errors on their fields."""
    form = _action_form(request, referral, action, request.POST)
    if form is not None and not form.is_valid():
        return _detail_page(request, referral.pk, {action: form})
    try:
        call(form.cleaned_data if form is not None else {})
    except NotVisible:
        raise Http404 from None
    except ServiceError as error:
        if form is not None and error.field in form.fields:
            form.add_error(error.field, str(error.message))
            return _detail_page(request, referral.pk, {action: form})
        messages.error(request, str(error.message))
    else:
        messages.success(request, done)
    return redirect("referrals:detail", pk=referral.pk)


@login_required
@require_POST
def referral_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    if action == "submit":
        referral = Referral.objects.filter(pk=pk).first()
        if referral is None or not permissions.can_view_referral(user, referral):
            raise Http404
        return _submit(request, referral, override=request.POST.get("override_justification", ""))
    # Each action: the service it calls with the form's data (``_action_form``), and what to say.
    handlers: dict[str, tuple[Callable[[dict], object], str]] = {
        "approve": (
            lambda d: services.referral_approve(referral_id=pk, actor=user, note=d["note"]),
            _("Approved."),
        ),
        "reject": (
            lambda d: services.referral_reject(referral_id=pk, actor=user, reason=d["reason"]),
            _("Rejected."),
        ),
        "accept": (
            lambda d: services.referral_accept(
                referral_id=pk, actor=user, assignee=d.get("assignee"), comment=d.get("comment", "")
            ),
            _("Accepted."),
        ),
        "decline": (
            lambda d: services.referral_decline(
                referral_id=pk,
                actor=user,
                reason=d["reason"],
                note=d["note"],
                suggested_organisation=d["suggested_organisation"],
            ),
            _("Declined."),
        ),
        "start": (
            lambda d: services.referral_start(referral_id=pk, actor=user),
            _("Started."),
        ),
        "hold": (
            lambda d: services.referral_hold(
                referral_id=pk, actor=user, expected_date=d["expected_date"], comment=d["comment"]
            ),
            _("Put on hold."),
        ),
        "resume": (
            lambda d: services.referral_resume(referral_id=pk, actor=user),
            _("Resumed."),
        ),
        "complete": (
            lambda d: services.referral_complete(
                referral_id=pk, actor=user, outcome=d["outcome"], note=d["note"]
            ),
            _("The outcome was recorded."),
        ),
        "withdraw": (
            lambda d: services.referral_withdraw(referral_id=pk, actor=user, reason=d["reason"]),
            _("Withdrawn."),
        ),
        "comment": (
            lambda d: services.referral_comment(referral_id=pk, actor=user, text=d["comment"]),
            _("Comment added."),
        ),
        "assign": (
            lambda d: services.referral_assign(referral_id=pk, actor=user, assignee=d["assignee"]),
            _("Assigned."),
        ),
    }
    if action not in handlers:
        raise Http404
    # Invisible is missing, before any form is read (an invalid form must not answer otherwise).
    referral = Referral.objects.filter(pk=pk).select_related("to_organisation").first()
    if referral is None or not permissions.can_see(user, referral):
        raise Http404
    call, done = handlers[action]
    return _run(request, referral, action, call, done)


@login_required
@require_POST
def referral_refer_onwards(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        referral = services.referral_refer_onwards(referral_id=pk, actor=request.user)
    except NotVisible:
        raise Http404 from None
    except ServiceError as error:
        messages.error(request, str(error.message))
        return redirect("referrals:detail", pk=pk)
    messages.success(
        request,
        _("A new draft to %(organisation)s is ready; check the consent before sending it.")
        % {"organisation": names.isolated(referral.to_organisation.name)},
    )
    return redirect("referrals:detail", pk=referral.pk)


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    membership = request.current.membership
    if membership is None or membership.role != Role.SUPERVISOR:
        raise Http404
    organisation = membership.organisation
    entries, next_cursor = selectors.keyset_page(
        selectors.access_log_for(user=request.user, organisation=organisation),
        before=_cursor(request),
        size=50,
    )
    return render(
        request,
        "referrals/access_log.html",
        {"entries": entries, "next_cursor": next_cursor, "organisation": organisation},
    )
