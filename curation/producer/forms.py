"""Forms of the producer dashboard: they parse input; the services decide what is allowed."""

from typing import Any

from django import forms

from albumvote.exceptions import ApplicationError
from generation import composer
from generation.composer.theory import MODES
from generation.forms import BatchScheduleForm, preset_choices
from generation.models import Track
from generation.services import MAX_SEED, BatchParams, batch_params_validate

from .selectors import SORTS, ProducerTrackFilters
from .table import SHORTLIST_MEANING, VETO_MEANING


class LaunchForm(forms.Form):
    """Launch parameters; generation.services.batch_params_validate has the last word."""

    count = forms.IntegerField(min_value=1, initial=10)
    preset = forms.ChoiceField(choices=preset_choices, required=False)
    seed = forms.IntegerField(required=False, min_value=0, max_value=MAX_SEED)
    temperature = forms.FloatField(initial=1.0)
    tempo_bpm = forms.FloatField(required=False, label="Tempo (BPM)")
    mode = forms.ChoiceField(
        choices=[("", "Any")] + [(m, m.capitalize()) for m in MODES], required=False
    )

    batch_params: BatchParams

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        raw = {key: value for key, value in data.items() if value not in (None, "")}
        try:
            self.batch_params = batch_params_validate(raw)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc
        return data


# The admin's schedule form: the same fields and the same checks.
ScheduleForm = BatchScheduleForm


class PickForm(forms.Form):
    """Shortlist / veto / neither, notes and comma-separated tags."""

    state = forms.ChoiceField(
        choices=[("none", "Neither"), ("shortlisted", "Shortlisted"), ("vetoed", "Vetoed")],
        widget=forms.RadioSelect,
        help_text=f"{SHORTLIST_MEANING} {VETO_MEANING}",
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    tags = forms.CharField(required=False, help_text="Comma-separated, e.g. opener, calm")

    def pick_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "shortlisted": data["state"] == "shortlisted",
            "vetoed": data["state"] == "vetoed",
            "notes": data["notes"],
            "tags": [tag for tag in data["tags"].split(",") if tag.strip()],
        }


def parse_track_filters(query: Any) -> tuple[ProducerTrackFilters, list[str]]:
    """Filters from the query string; a bad value is dropped with a message, never a 500."""
    problems: list[str] = []
    sort = query.get("sort") or "new"
    if sort not in SORTS:
        problems.append(f"Unknown sort {sort!r}; showing the newest first.")
        sort = "new"
    status = query.get("status") or None
    if status is not None and status not in Track.Status.values:
        problems.append(f"Unknown status {status!r}; showing every status.")
        status = None
    batch: int | None = None
    raw_batch = query.get("batch") or ""
    if raw_batch:
        if raw_batch.isdigit() and len(raw_batch) <= 18:
            batch = int(raw_batch)
        else:
            problems.append(f"Batch must be a number, not {raw_batch!r}.")
    preset = query.get("preset") or None
    if preset is not None and preset not in composer.PRESETS:
        problems.append(f"Unknown preset {preset!r}.")
        preset = None
    pick = query.get("pick") or None
    if pick is not None and pick not in ("shortlisted", "vetoed", "none"):
        problems.append(f"Unknown pick filter {pick!r}.")
        pick = None
    tag = (query.get("tag") or "").strip().lower() or None
    filters = ProducerTrackFilters(
        sort=sort, status=status, batch=batch, preset=preset, pick=pick, tag=tag
    )
    return filters, problems
