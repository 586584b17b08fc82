"""The organisation a signed-in user acts for: chosen with the switcher, kept in the session."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from organisations.selectors import memberships_of

if TYPE_CHECKING:
    from django.http import HttpRequest

    from organisations.models import Membership, Organisation

SESSION_KEY = "relais_organisation_id"


class CurrentOrganisation:
    """Lazy: no query until a view or template asks."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    @cached_property
    def memberships(self) -> list[Membership]:
        return list(memberships_of(self._request.user))

    @cached_property
    def membership(self) -> Membership | None:
        chosen = self._request.session.get(SESSION_KEY)
        for membership in self.memberships:
            if membership.organisation_id == chosen:
                return membership
        return self.memberships[0] if self.memberships else None

    @property
    def organisation(self) -> Organisation | None:
        return self.membership.organisation if self.membership else None

    def choose(self, organisation_id: int) -> bool:
        """Switch to one of the user's organisations; refuse any other."""
        for membership in self.memberships:
            if membership.organisation_id == organisation_id:
                self._request.session[SESSION_KEY] = organisation_id
                self.__dict__["membership"] = membership
                return True
        return False
