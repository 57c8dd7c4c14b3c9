"""The steering page's controls; curation.steering.services has the last word."""

from django import forms

from generation.models import EXPLORATION


class PicksWeightForm(forms.Form):
    picks_weight = forms.FloatField(
        min_value=0,
        max_value=1,
        label="Picks weight",
        help_text="How much your picks and vetoes weigh against the crowd: 0 (not at all) to 1.",
    )


class ScheduleSteeringForm(forms.Form):
    steer = forms.BooleanField(required=False, label="Steer by the crowd's taste")
    exploration = forms.FloatField(
        min_value=0,
        max_value=1,
        initial=EXPLORATION,
        label="Exploration share",
        help_text="The share composed as an unsteered batch (0 to 1).",
    )
