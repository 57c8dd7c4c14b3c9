"""Helpers for curation tests: listening enough to rate, through the real service."""

from curation.models import Listener
from curation.services.listening import events_record
from generation.models import Track


def listen(listener: Listener, track: Track, seconds: float, *, session: str = "s1") -> float:
    """Play `seconds` of the track from the start, as the player would report it."""
    ms = int(seconds * 1000)
    events = [
        {"type": "play", "position": 0.0, "seq": 1, "t": 1000},
        {"type": "pause", "position": seconds, "seq": 2, "t": 1000 + ms},
    ]
    return events_record(
        listener_id=listener.pk, track_id=track.pk, session=session, events=events
    ).listened_s
