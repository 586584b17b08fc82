from django.http import HttpRequest


def current_organisation(request: HttpRequest) -> dict:
    current = getattr(request, "current", None)
    return {"current": current}
