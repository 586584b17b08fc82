"""Notify people (in-app always, by e-mail if they want it) and deliver the e-mails.

``notify`` writes notifications and their deliveries in the caller's transaction and enqueues
the sending only after it commits, so nothing is sent for work that rolled back, and nothing is
lost if the broker is down: the delivery rows stay pending and the sweep sends them later.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.errors import ValidationFailed
from config.publish import publish
from notifications import kinds
from notifications.models import Delivery, DeliveryStatus, Notification, PendingNotice, Preference
from organisations import names

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """What a producer asks to say. ``template`` names ``<template>_subject.txt`` and
    ``<template>.txt``, rendered in each recipient's language with ``context``."""

    kind: str
    key: str
    template: str
    url: str = ""
    context: dict[str, Any] = field(default_factory=dict)


def preference_for(user: User) -> Preference:
    """The user's preference, created with each kind's e-mail default (so saving a language
    alone switches on no e-mail the user did not have)."""
    off_by_default = [kind.code for kind in kinds.all_kinds() if not kind.email_by_default]
    preference, _ = Preference.objects.get_or_create(
        user=user, defaults={"language": settings.LANGUAGE_CODE, "email_kinds_off": off_by_default}
    )
    return preference


def _render_text(template_name: str, context: dict[str, Any]) -> str:
    # Plain text: not HTML-escaped (an organisation named "Aide & Co" stays so in subjects and
    # e-mails); the pages and the HTML e-mail escape it once when they show it.
    template = Engine.get_default().get_template(template_name)
    return template.render(Context(context, autoescape=False))


class RecipientNotKnown(RuntimeError):
    """Raised by a template that reads ``recipient`` where one text is written for everyone."""


class _NoRecipient:
    """``notify_later`` renders one text per language for all its recipients: a template that
    read the recipient would show one person's name to every other. Django's templates hide a
    missing variable; this makes the mistake fail loudly, in the tests, instead."""

    def _refuse(self, *args: object) -> Any:
        raise RecipientNotKnown(
            "This message is rendered once for all its recipients (notify_later): its templates "
            "may not read `recipient`."
        )

    __getattr__ = __getitem__ = __str__ = __bool__ = __iter__ = _refuse


def _render(message: Message, language: str, recipient: User | None) -> tuple[str, str]:
    with translation.override(language):
        context = {**message.context, "recipient": recipient or _NoRecipient()}
        subject = _render_text(f"{message.template}_subject.txt", context)
        body = _render_text(f"{message.template}.txt", context)
    return " ".join(subject.split())[:300], body.strip()


def _active(recipients: Iterable[User | None]) -> dict[int, User]:
    return {user.pk: user for user in recipients if user is not None and user.is_active}


Texts = dict[str, tuple[str, str]]  # language -> (subject, body)


def _render_all(message: Message, recipient: User | None) -> Texts:
    """The message in every language of the site (a notification is shown in the language it
    is read in, which may not be the one its reader chose for e-mails), with the names in it
    isolated for right-to-left pages (``names.isolate``; the e-mail goes without the marks)."""
    with names.isolating():
        return {code: _render(message, code, recipient) for code, _name in settings.LANGUAGES}


def notify(*, recipients: Iterable[User], message: Message) -> list[Notification]:
    """Notify each active recipient once per ``message.key`` (running it again adds nothing)."""
    people = _active(recipients)
    if not people:
        return []
    try:  # one rendering for everyone, unless the templates address each recipient
        shared: Texts | None = _render_all(message, None)
    except RecipientNotKnown:
        shared = None
    return _write(people, message, lambda user: shared or _render_all(message, user))


def notify_later(*, recipients: Iterable[User], message: Message) -> PendingNotice | None:
    """``notify``, with only the decision in the caller's transaction: who, and the texts,
    rendered once per language (a template that reads ``recipient`` raises). A worker writes the
    notifications and their e-mails after commit (``notice_write``); if the broker is down, the
    delivery sweep hands the notice over later. For producers inside a request: a message to a
    group's forty organisations costs the request one row, not eighty."""
    people = _active(recipients)
    if not people:
        return None
    notice = PendingNotice.objects.create(
        kind=message.kind,
        key=message.key,
        url=message.url,
        recipient_ids=sorted(people),
        texts=_render_all(message, None),
    )
    transaction.on_commit(partial(enqueue_notice, notice.pk))
    return notice


def enqueue_notice(notice_id: int, *, patient: bool = False) -> bool:
    from notifications.tasks import notice_write_task  # noqa: PLC0415 - tasks import us

    return publish(notice_write_task, patient=patient, notice_id=notice_id)


def notice_write(*, notice_id: int) -> int:
    """Write a pending notice's notifications (once, whoever runs it and however often)."""
    with transaction.atomic():
        notice = (
            PendingNotice.objects.select_for_update(skip_locked=True)
            .filter(pk=notice_id, done_at__isnull=True)
            .first()
        )
        if notice is None:
            return 0
        people = _active(get_user_model().objects.filter(pk__in=notice.recipient_ids))
        message = Message(kind=notice.kind, key=notice.key, template="", url=notice.url)
        texts = {language: (text[0], text[1]) for language, text in notice.texts.items()}
        created = _write(people, message, lambda user: texts) if people else []
        notice.done_at = timezone.now()
        notice.save(update_fields=["done_at"])
    return len(created)


def _write(
    people: dict[int, User], message: Message, texts_for: Callable[[User], Texts]
) -> list[Notification]:
    preferences = {p.user_id: p for p in Preference.objects.filter(user_id__in=people)}
    already = set(
        Notification.objects.filter(recipient_id__in=people, key=message.key).values_list(
            "recipient_id", flat=True
        )
    )
    kind = kinds.get(message.kind)
    created: list[Notification] = []
    deliveries: list[Delivery] = []
    for user_id, user in people.items():
        if user_id in already:
            continue
        preference = preferences.get(user_id)
        if preference is not None and not preference.wants(message.kind):
            continue  # they chose not to hear of this kind at all
        language = preference.language if preference else settings.LANGUAGE_CODE
        texts = texts_for(user)
        subject, body = map(
            names.without_isolates, texts.get(language) or next(iter(texts.values()))
        )
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=user,
                    kind=message.kind,
                    key=message.key,
                    subject=subject,
                    body=body,
                    url=message.url,
                    texts={code: list(text) for code, text in texts.items()},
                )
        except IntegrityError:
            continue  # a concurrent producer wrote it first
        created.append(notification)
        wants = (
            preference.wants_email(message.kind)
            if preference
            else (kind.email_by_default if kind else True)
        )
        if wants and user.email:
            deliveries.append(
                Delivery.objects.create(
                    notification=notification,
                    key=f"{message.key}:{user_id}:email",
                    handed_at=timezone.now(),  # enqueued after commit, below
                )
            )
    if deliveries:
        transaction.on_commit(partial(enqueue_deliveries, [d.pk for d in deliveries]))
    return created


# Deliveries per task: one task message, one connection to the mail server and a few queries
# for all of them. A worker killed mid-batch leaves at most this many to be sent again (with the
# same Message-ID, which mail systems drop as a duplicate).
DELIVERY_BATCH = 25


def enqueue_deliveries(delivery_ids: Sequence[int], *, patient: bool = False) -> int:
    """Hand deliveries to the workers, ``DELIVERY_BATCH`` per task; returns how many were
    handed. If the broker is down, the rest wait for the next sweep."""
    from notifications.tasks import delivery_send_batch_task  # noqa: PLC0415 - tasks import us

    ids = list(delivery_ids)
    for start in range(0, len(ids), DELIVERY_BATCH):
        chunk = ids[start : start + DELIVERY_BATCH]
        if not publish(delivery_send_batch_task, patient=patient, delivery_ids=chunk):
            Delivery.objects.filter(pk__in=ids[start:], status=DeliveryStatus.PENDING).update(
                handed_at=None
            )
            return start
    return len(ids)


def enqueue_delivery(delivery_id: int, *, patient: bool = False) -> bool:
    """Hand one delivery to a worker; if the broker is down, the next sweep hands it over."""
    return enqueue_deliveries([delivery_id], patient=patient) == 1


def _backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=min(60 * 2 ** (attempts - 1), 6 * 3600))


def email_headers(*, delivery_key: str, language: str) -> dict[str, str]:
    """Headers of every notification e-mail. The Message-ID is derived from the delivery's
    unique key: if a worker dies between the SMTP send and marking the row sent, the e-mail sent
    again carries the same Message-ID, and mail systems drop the duplicate. Auto-Submitted keeps
    out-of-office replies away (RFC 3834)."""
    host = urlsplit(settings.SITE_URL).hostname or "relais.invalid"
    digest = hashlib.sha256(delivery_key.encode()).hexdigest()[:40]
    return {
        "Message-ID": f"<{digest}@{host}>",
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
        "Content-Language": language,
    }


def delivery_send(*, delivery_id: int) -> bool:
    """Send one e-mail if this worker wins the claim; safe to call any number of times."""
    return delivery_send_many(delivery_ids=[delivery_id]) == 1


def _claim(delivery_ids: Iterable[int], now: datetime.datetime) -> list[int]:
    """The deliveries this worker wins: each row's claim is a conditional update, so a delivery
    handed twice (a sweep, a retry) is sent by one worker only. Taken in key order, in one
    transaction: two workers holding overlapping batches wait for each other, never deadlock."""
    claimed = []
    with transaction.atomic():
        for delivery_id in sorted(set(delivery_ids)):
            won = Delivery.objects.filter(
                pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
            ).update(status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
            if won:
                claimed.append(delivery_id)
    return claimed


def _give_up(delivery_ids: Iterable[int], reason: str) -> None:
    Delivery.objects.filter(pk__in=list(delivery_ids)).update(
        status=DeliveryStatus.DEAD, last_error=reason, claimed_at=None
    )


def _failed(delivery: Delivery, error: Exception) -> None:
    dead = delivery.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.DEAD if dead else DeliveryStatus.PENDING,
        next_attempt_at=timezone.now() + _backoff(delivery.attempts),
        last_error=f"{type(error).__name__}: {error}"[:2000],
        claimed_at=None,
        handed_at=None,  # the sweep hands the retry over when it is due
    )
    logger.warning("Delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, error)


def _email(delivery: Delivery, language: str) -> EmailMultiAlternatives | None:
    """The e-mail of a claimed delivery; None when it is no longer needed (given up on)."""
    notification = delivery.notification
    recipient = notification.recipient
    if not recipient.is_active or not recipient.email:
        # Deactivated (or the address removed) since the notice was written: a retry waiting
        # hours must not mail someone who may no longer see what it is about.
        _give_up([delivery.pk], "The recipient is inactive or has no e-mail address.")
        return None
    kind = kinds.get(notification.kind)
    if kind is not None and kind.email_link is not None:
        link = kind.email_link(recipient)
        if link is None:
            _give_up([delivery.pk], "No longer needed.")
            return None
    else:
        link = settings.SITE_URL.rstrip("/") + notification.url if notification.url else ""
    with translation.override(language):
        context = {
            "notification": notification,
            "link": link,
            "link_label": kind.link_label if kind is not None else None,
            "recipient": recipient,
            "preferences_link": settings.SITE_URL.rstrip("/") + "/notifications/preferences/",
        }
        text = render_to_string("notifications/email/notification.txt", context)
        html = render_to_string("notifications/email/notification.html", context)
    email = EmailMultiAlternatives(
        subject=notification.subject,
        body=text,
        to=[recipient.email],
        headers=email_headers(delivery_key=delivery.key, language=language),
    )
    email.attach_alternative(html, "text/html")
    return email


def delivery_send_many(*, delivery_ids: Sequence[int]) -> int:
    """Send the e-mails of the deliveries this worker wins the claim of, over one connection to
    the mail server; safe to call any number of times. Each failure is recorded on its own
    delivery (retried with back-off, dead after the last attempt). Returns how many were sent."""
    claimed = _claim(delivery_ids, timezone.now())
    if not claimed:
        return 0  # sent already, being sent by another worker, or not due yet
    deliveries = list(
        Delivery.objects.filter(pk__in=claimed)
        .select_related("notification__recipient")
        .order_by("pk")
    )
    languages = dict(
        Preference.objects.filter(
            user_id__in={d.notification.recipient_id for d in deliveries}
        ).values_list("user_id", "language")
    )
    outgoing: list[tuple[Delivery, EmailMultiAlternatives]] = []
    for delivery in deliveries:
        language = languages.get(delivery.notification.recipient_id, settings.LANGUAGE_CODE)
        try:
            email = _email(delivery, language)
        except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
            _failed(delivery, error)
            continue
        if email is not None:
            outgoing.append((delivery, email))
    if not outgoing:
        return 0
    sent: list[int] = []
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:  # noqa: BLE001 - the mail server is unreachable: all wait
        for delivery, _email_message in outgoing:
            _failed(delivery, error)
        return 0
    try:
        for delivery, email in outgoing:
            try:
                connection.send_messages([email])
            except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
                _failed(delivery, error)
                continue
            sent.append(delivery.pk)
    finally:
        connection.close()
    Delivery.objects.filter(pk__in=sent).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    return len(sent)


def deliveries_to_hand(*, now: datetime.datetime) -> QuerySet[Delivery]:
    """Pending and due, and not handed to the broker within the stale window, oldest first."""
    stale = now - datetime.timedelta(seconds=settings.NOTIFICATIONS_STALE_AFTER)
    return Delivery.objects.filter(
        Q(handed_at__isnull=True) | Q(handed_at__lt=stale),
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now,
    ).order_by("next_attempt_at")


def delivery_sweep(
    *, now: datetime.datetime | None = None, limit: int = 500, most: int = 20_000
) -> int:
    """Hand over every due delivery no worker holds: retries whose time came, and those whose
    message was lost (a broker that lost its queue, a killed worker), ``limit`` at a time and
    up to ``most`` per run; when more wait, the next run is queued at once rather than at the
    next beat, so a lost queue of thousands is sent as fast as the workers send (it was 500 a
    minute). Releases deliveries a killed worker left claimed."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.NOTIFICATIONS_STALE_AFTER)
    Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=stale).update(
        status=DeliveryStatus.PENDING, claimed_at=None, handed_at=None
    )
    due = deliveries_to_hand(now=now)
    handed = 0
    while handed < most:
        batch = list(due.values_list("pk", flat=True)[: min(limit, most - handed)])
        if not batch:
            break
        # Leased before publishing: a worker that fails a send clears its lease, and the lease
        # set here must not come after (the retry would wait for the lease, not its back-off).
        Delivery.objects.filter(pk__in=batch).update(handed_at=now)
        published = enqueue_deliveries(batch, patient=True)
        handed += published
        if published < len(batch):
            return handed  # the broker is down: the rest waits for the next sweep
    if handed >= most:
        from notifications.tasks import delivery_sweep_task  # noqa: PLC0415 - tasks import us

        publish(delivery_sweep_task, patient=True)
    # Notices whose message was lost (a broker outage, a killed worker): handed over again.
    waiting = list(
        PendingNotice.objects.filter(
            done_at__isnull=True,
            created_at__lte=now - datetime.timedelta(seconds=NOTICE_GRACE_SECONDS),
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for notice_id in waiting:
        if not enqueue_notice(notice_id, patient=True):
            break
        handed += 1
    return handed


# A notice younger than this is probably still on its way to a worker.
NOTICE_GRACE_SECONDS = 30


# The bell -----------------------------------------------------------------------------------------


def notification_mark_read(*, notification_id: int, user: User) -> Notification | None:
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_read_on_open(*, user: User, url: str) -> tuple[int, int]:
    """The person opened the page notifications link to: they are read. Returns how many were
    read so, and how many stay unread (the bell's count). The usual page (nothing unread about
    it) costs one indexed read that counts both, and no write."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    counts = unread.aggregate(total=Count("id"), here=Count("id", filter=Q(url=url)))
    if not counts["here"]:
        return 0, counts["total"]
    ids = list(unread.filter(url=url).values_list("pk", flat=True)[:1000])
    read = Notification.objects.filter(pk__in=ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return read, counts["total"] - read


def notification_mark_subject_read(*, notification_id: int, user: User) -> int | None:
    """Every unread notification about the same thing as this one (its link) is read; None when
    the notification is not the user's."""
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is None:
        return None
    same = Notification.objects.filter(recipient=user, read_at__isnull=True)
    same = (
        same.filter(url=notification.url) if notification.url else same.filter(pk=notification.pk)
    )
    return same.update(read_at=timezone.now())


def notification_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def _known(given: Iterable[str] | None, offered: list[str], field: str) -> set[str] | None:
    chosen = None if given is None else set(given)
    unknown = sorted((chosen or set()) - set(offered))
    if unknown:
        raise ValidationFailed(
            _("Unknown kinds of notification: %(kinds)s.") % {"kinds": ", ".join(unknown)},
            field=field,
        )
    return chosen


def preference_update(
    *,
    user: User,
    language: str | None = None,
    email_kinds: Iterable[str] | None = None,
    silenced_kinds: Iterable[str] | None = None,
) -> Preference:
    """The language of the user's e-mails, the kinds of notification that also go by e-mail
    (``email_kinds``; every kind appears in the app), and the kinds not notified at all
    (``silenced_kinds``, among those that allow it). None leaves a setting as it is."""
    if language is not None and language not in dict(settings.LANGUAGES):
        raise ValidationFailed(_("Choose one of the languages offered."), field="language")
    codes = [kind.code for kind in kinds.all_kinds()]
    chosen = _known(email_kinds, codes, "email_kinds")
    silenced = _known(
        silenced_kinds, [kind.code for kind in kinds.silenceable_kinds()], "silenced_kinds"
    )
    preference = preference_for(user)
    if language is not None:
        preference.language = language
    if chosen is not None:
        preference.email_kinds_off = [code for code in sorted(codes) if code not in chosen]
    if silenced is not None:
        preference.silenced_kinds = sorted(silenced)
    preference.save()
    return preference
