"""django-filter for the API, with refusals in the one error shape naming the field."""

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.request import Request

from albumvote.exceptions import ApplicationError


class FilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            field, problems = next(iter(filterset.errors.items()))
            raise ApplicationError(f"{field}: {problems[0]}", details={"field": field})
        return filterset.qs
