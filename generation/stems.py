"""A track's stems: its stored MIDI rendered part by part (audio.write_stems), for producers
who take the track further in their own tools. Writes files only, never rows."""

from collections.abc import Callable
from pathlib import Path

import pretty_midi
from django.conf import settings

from albumvote.exceptions import ApplicationError

from . import audio
from .audio import stems
from .models import Track


def track_soundfont(track: Track) -> Path:
    """The soundfont that rendered the track's audio when it is installed here, so its stems
    sound like the track listeners heard; else the one new tracks are rendered with."""
    recorded = audio.soundfont_named(track.soundfont, settings.SOUNDFONT_PATH)
    return recorded or audio.soundfont_choose(settings.SOUNDFONT_PATH)


def track_stem_parts(*, track: Track) -> list[stems.Part]:
    """The stems the track makes (a read: it parses the MIDI, renders nothing)."""
    return stems.parts(_midi(track))


def track_stems_write(
    *, track: Track, folder: Path, on_progress: Callable[[float], None] | None = None
) -> audio.StemSet:
    """Write the track's stems, their MIDI, the mix and stems.json into `folder`."""
    midi = _midi(track)
    folder.mkdir(parents=True, exist_ok=True)
    return audio.write_stems(
        midi, folder, soundfont=track_soundfont(track), on_progress=on_progress
    )


def _midi(track: Track) -> pretty_midi.PrettyMIDI:
    if not track.midi:
        raise ApplicationError(
            f"Track {track.pk} has no MIDI yet, so it has no stems.", code="no_midi"
        )
    try:
        return pretty_midi.PrettyMIDI(track.midi.path)
    except (OSError, ValueError, EOFError) as exc:
        raise ApplicationError(f"Track {track.pk}'s MIDI cannot be read: {exc}") from exc
