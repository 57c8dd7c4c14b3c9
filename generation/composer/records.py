"""What a parsed corpus piece looks like: the unit the parse cache stores and training reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Tune:
    """One melody (and its harmony where known) in absolute pitches and ticks.

    notes: (onset, duration, midi) with midi -1 for a rest; ticks are theory.TPQ per quarter.
    chords: (onset, root pitch class, quality) from chord symbols or chorale verticalities.
    bar_lines: onsets of the written bar lines, used to find a pickup bar.
    """

    source: str
    collection: str
    title: str
    style: str
    meter: str
    tonic: int
    mode: str
    qpm: float | None
    notes: list[tuple[int, int, int]] = field(default_factory=list)
    chords: list[tuple[int, int, str]] = field(default_factory=list)
    bar_lines: list[int] = field(default_factory=list)
    chord_source: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "collection": self.collection,
            "title": self.title,
            "style": self.style,
            "meter": self.meter,
            "tonic": self.tonic,
            "mode": self.mode,
            "qpm": self.qpm,
            "notes": [list(n) for n in self.notes],
            "chords": [list(c) for c in self.chords],
            "bar_lines": self.bar_lines,
            "chord_source": self.chord_source,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Tune:
        return cls(
            source=raw["source"],
            collection=raw["collection"],
            title=raw["title"],
            style=raw["style"],
            meter=raw["meter"],
            tonic=int(raw["tonic"]),
            mode=raw["mode"],
            qpm=raw["qpm"],
            notes=[(int(a), int(b), int(c)) for a, b, c in raw["notes"]],
            chords=[(int(a), int(b), str(c)) for a, b, c in raw["chords"]],
            bar_lines=[int(b) for b in raw["bar_lines"]],
            chord_source=raw.get("chord_source", ""),
        )
