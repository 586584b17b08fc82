"""The embedded default's e-mail: one line per message on the console (who, what), and the whole
message in ``var/mail`` for whoever wants to read it (Django's file backend)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class ConsoleSummaryBackend(FileBackend):
    """Writes each message to ``EMAIL_FILE_PATH`` and prints a one-line summary: a first start
    that walks the demo through the services sends a dozen e-mails, not pages of MIME."""

    def send_messages(self, email_messages: Any) -> int:
        sent = super().send_messages(email_messages)
        for message in email_messages or []:
            recipients = ", ".join(message.recipients())
            sys.stdout.write(f"[e-mail] to {recipients}: {message.subject}\n")
        sys.stdout.flush()
        return sent
