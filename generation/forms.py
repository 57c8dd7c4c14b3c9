"""Forms shared by the admin and the producer dashboard; the services have the last word."""

from typing import Any

from django import forms

from albumvote.exceptions import ApplicationError

from . import composer, schedules
from .models import BatchSchedule


def preset_choices() -> list[tuple[str, str]]:
    return [("", "A mix of presets")] + [
        (name, preset.label) for name, preset in sorted(composer.PRESETS.items())
    ]


class BatchScheduleForm(forms.ModelForm):
    """Create or edit a schedule; generation.schedules checks the crontab and parameters."""

    preset = forms.ChoiceField(choices=preset_choices, required=False)

    class Meta:
        model = BatchSchedule
        fields = [
            "name",
            "enabled",
            "count",
            "preset",
            "temperature",
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
        candidate = BatchSchedule(**{k: v for k, v in data.items() if k in self.Meta.fields})
        try:
            schedules.schedule_validate(schedule=candidate)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc
        return data
