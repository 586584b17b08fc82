"""A test-only e-mail backend for the worker process: it sleeps before writing each e-mail to
EMAIL_FILE_PATH, so that a test can kill the worker while it is delivering."""

from __future__ import annotations

import os
import time

from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("SLOW_EMAIL_SECONDS", "3")))
        return super().send_messages(email_messages)
