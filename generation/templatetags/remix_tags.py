"""Template tags for remixes: a track's remixes and parent, and the remix form's choices."""

from typing import Any

from django import template

from generation import selectors
from generation.composer.params import MODE_CHOICES, TEMPERATURE_RANGE, TEMPO_RANGE
from generation.composer.presets import INSTRUMENTATIONS
from generation.models import GenerationBatch, Track
from generation.remix import MAX_VARIATIONS

register = template.Library()

TONICS = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


@register.simple_tag
def track_remixes(track: Track) -> list[GenerationBatch]:
    """Every remix batch of the track with its tracks, whatever their status (producers)."""
    return selectors.track_remixes(track_id=track.pk)


@register.simple_tag
def remix_links(track: Track) -> selectors.RemixLinks:
    """The ready parent and ready remixes of the track: all listeners may see (one query)."""
    return selectors.track_remix_links_published(track=track)


@register.simple_tag
def remix_options() -> dict[str, Any]:
    """What the remix form offers, from the composer's own limits."""
    return {
        "instrumentations": list(INSTRUMENTATIONS),
        "tonics": TONICS,
        "modes": MODE_CHOICES,
        "tempo_range": TEMPO_RANGE,
        "temperature_range": TEMPERATURE_RANGE,
        "max_variations": MAX_VARIATIONS,
    }
