"""The embedded default's e-mail: a line per message on the console, the message on disk."""

from __future__ import annotations

from django.core import mail

from config.mail import ConsoleSummaryBackend


def test_a_line_per_message_and_the_whole_message_on_disk(tmp_path, capsys):
    backend = ConsoleSummaryBackend(file_path=str(tmp_path))
    messages = [
        mail.EmailMessage("New referral #12", "A long body\n" * 40, to=["amina@example.org"]),
        mail.EmailMessage("Meeting changed", "Body", to=["a@example.org", "b@example.org"]),
    ]

    assert backend.send_messages(messages) == 2

    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        "[e-mail] to amina@example.org: New referral #12",
        "[e-mail] to a@example.org, b@example.org: Meeting changed",
    ]
    written = "".join(path.read_text() for path in tmp_path.iterdir())
    assert written.count("A long body") == 40
