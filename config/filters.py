"""The API's filter backend: django-filter, with the empty values an HTML form sends refused."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter reads ``?kind=`` as "not filtered", as a web form needs; for an API client it
    is a value the schema does not allow (not a kind, not a number), so it gets a 400 naming the
    parameter, like any other bad value. Text filters (``?city=``) may be empty."""

    def get_filterset(self, request: Any, queryset: Any, view: Any) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        params = request.query_params
        blank = {
            name: [_("Give a value or leave the parameter out.")]
            for name, filter_ in filterset.filters.items()
            if name in params
            and params.get(name) == ""
            and not isinstance(filter_, django_filters.CharFilter)
        }
        if blank:
            raise ValidationError(blank)
        return filterset
