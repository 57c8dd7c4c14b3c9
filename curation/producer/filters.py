"""The producer tracks table's filters: the public track filters' batch and preset
(curation.filters.TrackFilterSet, the same fields and checks), and the producer's own status,
pick, tag and sort. A refused value is dropped with a message; the rest still filter."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from curation.filters import PROBLEMS, TrackFilterSet
from generation.models import Track

from .selectors import SORTS

PICKS = {"shortlisted": "Shortlisted", "vetoed": "Vetoed", "none": "Neither"}


class ProducerTrackFilterSet(TrackFilterSet):
    """Tracks of every status by status, batch, preset, pick and tag, in the chosen order
    (newest first unless asked: the queryset comes ordered that way)."""

    # The public list's other filters are not offered on the table.
    key = None
    tempo_min = None
    tempo_max = None
    search = None

    status = django_filters.ChoiceFilter(choices=Track.Status.choices, label="Status")
    pick = django_filters.ChoiceFilter(
        choices=list(PICKS.items()), method="filter_pick", label="Pick"
    )
    tag = django_filters.CharFilter(method="filter_tag", label="Tag")
    sort = django_filters.ChoiceFilter(
        choices=[(name, label) for name, (label, _) in SORTS.items()],
        method="filter_sort",
        label="Sort",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["preset"].label = "Preset"  # the table's word for the public list's style

    def filter_pick(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == "none":
            return queryset.exclude(Q(pick__shortlisted=True) | Q(pick__vetoed=True))
        return queryset.filter(**{f"pick__{value}": True})

    def filter_tag(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(pick__tags__contains=[value.lower()])  # stored lower-case

    def filter_sort(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.order_by(*SORTS[value][1])

    def values(self) -> dict[str, Any]:
        """The filters in force, for the form that shows them: a refused value is left out,
        and the sort is the newest first unless another was asked for."""
        self.form.is_valid()
        given = {name: self.form.cleaned_data.get(name) or None for name in self.filters}
        if given["batch"] is not None:
            given["batch"] = int(given["batch"])  # the form's Decimal, as the choices list it
        return {**given, "sort": given["sort"] or "new"}

    def choices(self) -> dict[str, dict[str, str]]:
        """What each of the form's lists offers, as the filters accept it."""
        names = ("sort", "status", "preset", "pick")
        return {name: dict(self.filters[name].extra["choices"]) for name in names}

    def messages(self) -> list[str]:
        """Each refused value in words, as the public list says them; an unknown choice is
        called that."""
        found = []
        for name, problem in self.problems():
            label, value = self.filters[name].label, str(self.data.get(name, ""))[:40]
            if problem == PROBLEMS["invalid_choice"]:
                found.append(f"Unknown {label.lower()} '{value}'; it was ignored.")
            else:
                found.append(f"{label} {problem}; '{value}' was ignored.")
        return found
