"""In-app notifications, their e-mail deliveries (an outbox) and each user's preferences.

The app knows nothing of referrals or meetings: producers give a recipient, a kind, a unique key,
templates and a link, and choose recipients who may see what the notice is about.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=50)
    # The producer's idempotency key: the same event never notifies the same person twice.
    key = models.CharField(max_length=200)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    # The subject and text in every language of the site (language -> [subject, body]), so that
    # the page shows them in the language the person reads it in now; ``subject`` and ``body``
    # are the person's chosen language, the e-mail's.
    texts = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="unique_notification_key"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at", "-id"])]

    def __str__(self) -> str:
        return self.subject

    def in_language(self, language: str | None = None) -> tuple[str, str]:
        """Subject and text in this language (the one active by default), else as written."""
        found = self.texts.get(language or get_language() or "")
        return (found[0], found[1]) if found else (self.subject, self.body)

    @property
    def shown_subject(self) -> str:
        return self.in_language()[0]

    @property
    def shown_body(self) -> str:
        return self.in_language()[1]


class PendingNotice(models.Model):
    """Notifications decided inside a request and written by a worker after commit
    (``services.notify_later``): the recipients, and the texts rendered once per language."""

    kind = models.CharField(max_length=50)
    key = models.CharField(max_length=200)
    url = models.CharField(max_length=500, blank=True)
    recipient_ids = models.JSONField(default=list)
    texts = models.JSONField(default=dict)  # language -> [subject, body]
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The sweep's question: what is still waiting, oldest first.
        indexes = [
            models.Index(
                fields=["created_at"],
                name="notice_waiting_idx",
                condition=models.Q(done_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    DEAD = "dead", _("failed for good")


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")


class Delivery(models.Model):
    """One e-mail to send, written in the same transaction as its notification (the outbox).

    A worker claims it with a conditional update before sending; a sweep re-enqueues what is
    pending or stuck, so a broker outage or a killed worker loses nothing.
    """

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    key = models.CharField(max_length=250, unique=True)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # When it was last handed to the broker: the sweep hands it again only if no worker claimed
    # it within NOTIFICATIONS_STALE_AFTER (its message was lost), never while it waits its turn.
    handed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            # The sweep's question, whatever the number of deliveries sent over the years.
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due_idx",
                condition=models.Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.key} ({self.status})"


class Preference(models.Model):
    """Per user: the language of e-mails and which kinds also go by e-mail (in-app always)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    email_kinds_off = models.JSONField(_("kinds not sent by e-mail"), default=list, blank=True)
    # Kinds not notified at all (only kinds registered as silenceable).
    silenced_kinds = models.JSONField(_("kinds not notified"), default=list, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user}"

    def wants_email(self, kind: str) -> bool:
        return kind not in self.email_kinds_off

    def wants(self, kind: str) -> bool:
        return kind not in self.silenced_kinds
