"""Track filters, one FilterSet for the track list page and the catalogue API (django-filter):
the same fields, the same checks, the same meaning. Django's form fields refuse what the
database cannot take (NUL characters, numbers out of range) before a query is made."""

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from generation.composer import PRESETS
from generation.models import Track

MAX_ID = 2**63 - 1
# What a refused value is called on the page, by the form's error code.
PROBLEMS = {
    "invalid": "must be a number",
    "min_value": "is out of range",
    "max_value": "is out of range",
    "max_digits": "is out of range",
    "invalid_choice": "is not one of the choices",
    "null_characters_not_allowed": "has a character that is not allowed",
    "max_length": "is too long",
    "tempo_order": "must not be above the highest tempo",
}


class TrackFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("tempo_min"), data.get("tempo_max")
        if low is not None and high is not None and low > high:
            self.add_error(
                "tempo_min",
                forms.ValidationError("must not be above tempo_max.", code="tempo_order"),
            )
        return data


class TrackFilterSet(django_filters.FilterSet):
    """Published tracks by batch, preset, key (name or Camelot code), tempo range and title."""

    batch = django_filters.NumberFilter(
        field_name="batch_id", label="Batch", min_value=1, max_value=MAX_ID, decimal_places=0
    )
    preset = django_filters.ChoiceFilter(
        choices=[(name, preset.label) for name, preset in sorted(PRESETS.items())],
        label="Style",
    )
    key = django_filters.CharFilter(
        method="filter_key", max_length=20, label="Key", help_text="e.g. D major or 10B"
    )
    tempo_min = django_filters.NumberFilter(
        field_name="tempo_bpm",
        lookup_expr="gte",
        min_value=0,
        max_value=400,
        label="Lowest tempo",
    )
    tempo_max = django_filters.NumberFilter(
        field_name="tempo_bpm",
        lookup_expr="lte",
        min_value=0,
        max_value=400,
        label="Highest tempo",
    )
    search = django_filters.CharFilter(
        field_name="title",
        lookup_expr="icontains",
        max_length=100,
        label="Title",
        help_text="In the title",
    )

    class Meta:
        model = Track
        fields: list[str] = []
        form = TrackFilterForm

    def filter_key(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(Q(key__iexact=value) | Q(camelot__iexact=value))

    def problems(self) -> list[tuple[str, str]]:
        """Each refused field and, in words, what is wrong with it."""
        found = []
        for name, errors in self.form.errors.as_data().items():
            code = errors[0].code or "invalid"
            found.append((name, PROBLEMS.get(code, "is not valid")))
        return found


class CatalogFilterSet(TrackFilterSet):
    """The catalogue API's filters: the page's, and a status (producers only, but ready)."""

    status = django_filters.ChoiceFilter(
        choices=Track.Status.choices, label="Status", help_text="Producers only, except ready"
    )

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status=Track.Status.READY)  # published, unless asked
        return super().filter_queryset(queryset)
