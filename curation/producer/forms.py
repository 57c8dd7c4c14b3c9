"""The producer dashboard's own form: picks. Launch and schedule forms are generation's
(generation.forms), shared with the admin; the services decide what is allowed."""

from typing import Any

from django import forms

from .table import SHORTLIST_MEANING, VETO_MEANING


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
