"""Forms shared by the admin and the producer dashboard; the services have the last word."""

from typing import Any

from django import forms

from albumvote.exceptions import ApplicationError

from . import composer, schedules
from .composer.theory import MODES
from .models import EXPLORATION, MIXED_PRESETS, BatchSchedule, preset_label
from .services import MAX_SEED, BatchParams, batch_params_validate


def preset_choices() -> list[tuple[str, str]]:
    return [("", MIXED_PRESETS)] + [(name, preset_label(name)) for name in sorted(composer.PRESETS)]


class BatchLaunchForm(forms.Form):
    """Launch parameters; generation.services.batch_params_validate has the last word."""

    count = forms.IntegerField(min_value=1, initial=10)
    preset = forms.ChoiceField(choices=preset_choices, required=False)
    seed = forms.IntegerField(required=False, min_value=0, max_value=MAX_SEED)
    temperature = forms.FloatField(initial=1.0)
    tempo_bpm = forms.FloatField(required=False, label="Tempo (BPM)")
    mode = forms.ChoiceField(
        choices=[("", "Any")] + [(m, m.capitalize()) for m in MODES], required=False
    )
    steer = forms.BooleanField(
        required=False,
        label="Steer by the crowd's taste",
        help_text="Draw each track's parameters from the crowd's preference model; "
        "the choices above are pinned.",
    )
    exploration = forms.FloatField(
        min_value=0,
        max_value=1,
        initial=EXPLORATION,
        required=False,
        label="Exploration share",
        help_text="When steered: the share composed as an unsteered batch (0 to 1).",
    )

    batch_params: BatchParams

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:  # a field is already wrong: the parameters cannot be checked together
            return data
        steering = ("steer", "exploration")
        raw = {
            key: value
            for key, value in data.items()
            if value not in (None, "") and key not in steering
        }
        if data.get("exploration") is None:
            data["exploration"] = EXPLORATION
        try:
            self.batch_params = batch_params_validate(raw)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc
        return data


class BatchScheduleForm(forms.ModelForm):
    """Create or edit a schedule; generation.schedules checks the crontab and parameters."""

    preset = forms.ChoiceField(choices=preset_choices, required=False)
    exploration = forms.FloatField(
        min_value=0,
        max_value=1,
        initial=EXPLORATION,
        required=False,
        label="Exploration share",
        help_text="When steered: the share composed as an unsteered batch (0 to 1).",
    )

    class Meta:
        model = BatchSchedule
        fields = [
            "name",
            "enabled",
            "count",
            "preset",
            "temperature",
            "steer",
            "exploration",
            "minute",
            "hour",
            "day_of_week",
            "day_of_month",
            "month_of_year",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:  # a field is already wrong: the whole schedule cannot be checked
            return data
        if data.get("exploration") is None:
            data["exploration"] = EXPLORATION
        candidate = BatchSchedule(**{k: v for k, v in data.items() if k in self.Meta.fields})
        try:
            schedules.schedule_validate(schedule=candidate)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc
        return data
