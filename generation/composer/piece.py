"""A composed piece: the MIDI plus everything the service stores and shows about it."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pretty_midi

from .records import Tune


@dataclass
class Piece:
    midi: pretty_midi.PrettyMIDI
    title: str
    params: dict[str, Any]  # fully resolved and JSON-serialisable
    key: str  # e.g. "D major"
    tonic: str
    mode: str
    tempo_bpm: float
    sections: list[dict[str, Any]]  # label, start_s, end_s, bars
    duration_s: float
    model_version: str
    instruments: list[dict[str, Any]] = field(default_factory=list)
    # The melody and planned chords as a training tune (tunes.sections_tune): how a track
    # the crowd approved is counted when the composer is tuned.
    tune: Tune | None = None

    def midi_bytes(self) -> bytes:
        """Standard MIDI file bytes; identical for identical pieces."""
        buffer = io.BytesIO()
        self.midi.write(buffer)
        return buffer.getvalue()
