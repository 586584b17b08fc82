"""What the registry tells the apps above it (it imports none of them)."""

from django.dispatch import Signal

# An account was created for a person invited by e-mail, inside the transaction that creates it
# (kwargs: ``user``, ``organisation``): a receiver writes its outbox rows in that transaction,
# so that the welcome is sent if and only if the account exists (notifications.welcome).
account_invited = Signal()
