from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from organisations.current import CurrentOrganisation


class CurrentOrganisationMiddleware:
    """Attach ``request.current`` (the user's memberships and the organisation they act for)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.current = CurrentOrganisation(request)
        return self.get_response(request)
