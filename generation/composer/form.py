"""Form of a piece: how many bars of intro, parts and outro, their order, variation and level."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .errors import ComposerError
from .melody import Context, MelodyEvent, Part
from .theory import TPQ

PART_BARS = 8
OUTRO_BARS = 3  # the closing phrase twice-told (2 bars) and a held final chord
MIN_SECONDS, MAX_SECONDS = 60.0, 180.0
# Letter order per number of body sections: the A part opens and closes, B contrasts.
ORDERS = {
    3: "ABA",
    4: "AABA",
    5: "AABBA",
    6: "AABABA",
    7: "AABBABA",
    8: "AABBAABA",
    9: "AABBABBAA",
    10: "AABBAABBAA",
    11: "AABBAABBABA",
    12: "AABBAABBAABA",
}


@dataclass(frozen=True)
class FormPlan:
    intro_bars: int
    part_bars: int
    repeats: int  # times a part is played inside one section (2 = folk "AA")
    order: str
    outro_bars: int = OUTRO_BARS

    @property
    def section_bars(self) -> int:
        return self.part_bars * self.repeats

    @property
    def total_bars(self) -> int:
        return self.intro_bars + len(self.order) * self.section_bars + self.outro_bars


@dataclass
class Section:
    label: str  # "intro", "A", "A'", "B", ..., "outro"
    kind: str  # "intro", "body" or "outro"
    start_bar: int
    bars: int
    chords: list[int]  # one per harmony slot
    melody: list[MelodyEvent] = field(default_factory=list)  # onsets from the section start
    level: float = 1.0  # dynamics, 0..1
    fill: bool = False  # drum or bass fill into the next section
    final_chord: bool = False  # last bar holds the tonic chord


def bar_seconds(bar_ticks: int, tempo_bpm: float) -> float:
    return bar_ticks / TPQ * 60.0 / tempo_bpm


def plan_form(bar_s: float, target_seconds: float) -> FormPlan:
    """The plan whose length is nearest the target, within 60-180 s.

    Short parts (fast tempos) are played twice per section, as dance tunes are.
    """
    best: tuple[float, FormPlan] | None = None
    for part_bars in (PART_BARS, PART_BARS // 2):
        for repeats in (1, 2):
            for intro in (2, 4):
                for order in ORDERS.values():
                    plan = FormPlan(intro, part_bars, repeats, order)
                    seconds = plan.total_bars * bar_s
                    if not MIN_SECONDS + 1 <= seconds <= MAX_SECONDS - 1:
                        continue
                    cost = abs(seconds - target_seconds)
                    if part_bars < PART_BARS:
                        cost += 20  # four-bar parts only when eight cannot fit (very slow)
                    if (repeats == 2) != (part_bars * bar_s < 12):
                        cost += 25  # playing a long part twice per section drags
                    if (intro == 4) != (bar_s < 2.5):
                        cost += 4
                    if best is None or cost < best[0] - 1e-9:
                        best = (cost, plan)
    if best is None:
        raise ComposerError(f"no form fits 60-180 s at {bar_s:.2f} s per bar")
    return best[1]


def labels(order: str) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for letter in order:
        n = seen.get(letter, 0)
        seen[letter] = n + 1
        out.append(letter + "'" * n)
    return out


def levels(order: str) -> list[float]:
    """Dynamics arc over the body: builds to about two thirds through, B parts a bit louder."""
    out = []
    for i, letter in enumerate(order):
        x = (i + 0.5) / len(order)
        arc = math.sin(math.pi * min(1.0, x / 1.3))
        out.append(min(1.0, 0.72 + 0.22 * arc + (0.05 if letter == "B" else 0.0)))
    return out


def build_sections(
    ctx: Context,
    plan: FormPlan,
    parts: dict[str, Part],
    variant: Callable[[str, int], Part],
) -> list[Section]:
    """Lay out intro, body sections (each part and its variations) and outro in bars."""
    slots = ctx.preset.harmony_slots
    bar_len = ctx.bar_len
    a = parts["A"]
    sections: list[Section] = []
    first_phrase = a.chords[: 4 * slots]
    sections.append(
        Section(
            label="intro",
            kind="intro",
            start_bar=0,
            bars=plan.intro_bars,
            chords=first_phrase[-plan.intro_bars * slots :],
            level=0.62,
        )
    )
    bar = plan.intro_bars
    seen: dict[str, int] = {}
    for label, letter, level in zip(
        labels(plan.order), plan.order, levels(plan.order), strict=True
    ):
        n = seen.get(letter, 0)
        seen[letter] = n + 1
        chords: list[int] = []
        melody: list[MelodyEvent] = []
        for r in range(plan.repeats):
            index = n * plan.repeats + r
            material = parts[letter] if index == 0 else variant(letter, index)
            offset = r * plan.part_bars * bar_len
            chords.extend(material.chords)
            melody.extend(MelodyEvent(e.onset + offset, e.length, e.pitch) for e in material.events)
        sections.append(
            Section(
                label=label,
                kind="body",
                start_bar=bar,
                bars=plan.section_bars,
                chords=chords,
                melody=melody,
                level=level,
                fill=True,
            )
        )
        bar += plan.section_bars

    # Outro: the closing two bars of A once more, then the tonic held.
    tail_start = (a.bars - 2) * bar_len
    tail = [
        MelodyEvent(e.onset - tail_start, e.length, e.pitch)
        for e in a.events
        if e.onset >= tail_start
    ]
    last = [e.pitch for e in a.events if e.pitch is not None][-1]
    tail.append(MelodyEvent(2 * bar_len, bar_len, last if last % 12 == 0 else 0))
    sections.append(
        Section(
            label="outro",
            kind="outro",
            start_bar=bar,
            bars=plan.outro_bars,
            chords=a.chords[-2 * slots :] + [a.chords[-1]] * slots,
            melody=tail,
            level=0.6,
            final_chord=True,
        )
    )
    return sections


def substream(seed: int, name: str) -> np.random.Generator:
    """An independent, reproducible random stream per purpose, so parts do not shift others."""
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))
