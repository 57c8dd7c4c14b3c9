"""Presets by their display names in templates: {{ track.preset|preset_label }}."""

from django import template

from generation.forms import preset_choices

register = template.Library()


@register.filter
def preset_label(name: str | None) -> str:
    """The preset's display name ("irish_jig" -> "Irish jig"; blank is a mix of presets), from
    the same choices the launch and schedule forms offer. An unknown name is shown as it is."""
    return dict(preset_choices()).get(name or "", name or "")
