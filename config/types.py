"""Types the apps' annotations share (imported under ``TYPE_CHECKING``: nothing here runs)."""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User

# Whoever makes the request: permission checks and selectors answer for anonymous visitors too.
Actor: TypeAlias = User | AnonymousUser
