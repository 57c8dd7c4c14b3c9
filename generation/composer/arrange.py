"""Arrangement: planned sections to instrument parts with the preset's patterns and dynamics.

Melody, chords, bass, pad and drums are written into pretty_midi instruments, with swing,
a velocity arc over the sections and fills at section ends.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pretty_midi

from . import drums
from .form import Section
from .presets import Preset, Voice
from .theory import METERS, TPQ
from .tunes import melody_pitch
from .voicing import bass_note, chord_tones, close_voicing, satb

STRUM_SECONDS = 0.012  # spread of a strummed chord, low string first


@dataclass
class Timeline:
    tempo_bpm: float
    swing: float  # share of the beat before an off-beat eighth; 0.5 = straight

    def seconds(self, tick: float) -> float:
        # Swing delays the off-beat eighth of every beat.
        if self.swing != 0.5 and int(tick) % TPQ == TPQ // 2:
            tick += (self.swing - 0.5) * TPQ
        return tick * 60.0 / (self.tempo_bpm * TPQ)


class Arranger:
    """Writes every part of a piece from its sections; one instance per compose() call."""

    def __init__(
        self,
        preset: Preset,
        *,
        tonic: int,
        melody_tonic: int,
        tempo_bpm: float,
        rng: np.random.Generator,
    ) -> None:
        self.preset = preset
        self.tonic = tonic
        self.melody_tonic = melody_tonic
        self.bar_len, self.beat_len = METERS[preset.meter]
        self.slot_len = self.bar_len // preset.harmony_slots
        self.time = Timeline(tempo_bpm, preset.swing)
        self.rng = rng
        self.instruments: dict[str, pretty_midi.Instrument] = {}

    # --- plumbing -------------------------------------------------------------------
    def _instrument(self, voice: Voice) -> pretty_midi.Instrument:
        if voice.name not in self.instruments:
            self.instruments[voice.name] = pretty_midi.Instrument(
                program=voice.program, name=voice.name
            )
        return self.instruments[voice.name]

    def _velocity(self, base: int, level: float, tick: int) -> int:
        if tick % self.bar_len == 0:
            accent = 1.08
        elif tick % self.beat_len == 0:
            accent = 1.0
        else:
            accent = 0.9
        value = base * level * accent + self.rng.normal(0.0, 2.5)
        return int(min(127, max(1, round(value))))

    def _note(
        self,
        voice: Voice,
        pitch: int,
        start_tick: int,
        length: float,
        level: float,
        *,
        delay: float = 0.0,
        velocity: int | None = None,
    ) -> None:
        start = self.time.seconds(start_tick) + delay
        # Ends stay on the straight grid: a swung (late) off-beat note is shorter, and
        # never spills into the next beat.
        end = (start_tick + length) * 60.0 / (self.time.tempo_bpm * TPQ)
        if end <= start:
            return
        vel = (
            velocity if velocity is not None else self._velocity(voice.velocity, level, start_tick)
        )
        self._instrument(voice).notes.append(
            pretty_midi.Note(velocity=vel, pitch=int(pitch), start=start, end=end)
        )

    def _chord_at(self, section: Section, tick: int) -> int:
        return section.chords[min(len(section.chords) - 1, tick // self.slot_len)]

    # --- parts ----------------------------------------------------------------------
    def melody(self, sections: list[Section]) -> None:
        voice = self.preset.melody
        for section in sections:
            base = section.start_bar * self.bar_len
            final_tick = (section.bars - 1) * self.bar_len
            for event in section.melody:
                if event.pitch is None:
                    continue
                pitch = melody_pitch(self.preset, self.melody_tonic, event.pitch)
                held = section.final_chord and event.onset >= final_tick
                length = event.length * (1.0 if held else self.preset.legato)
                self._note(voice, pitch, base + event.onset, length, section.level)

    def accompaniment(self, sections: list[Section]) -> None:
        previous: list[int] | None = None
        prev_bass: int | None = None
        prev_satb: tuple[int, int, int] | None = None
        for section in sections:
            base = section.start_bar * self.bar_len
            for bar in range(section.bars):
                tick0 = bar * self.bar_len
                final = section.final_chord and bar == section.bars - 1
                fill = section.fill and bar == section.bars - 1
                if self.preset.comp_style == "satb":
                    prev_satb = self._satb_bar(section, base, tick0, prev_satb)
                    continue
                previous = self._comp_bar(section, base, tick0, previous, final)
                prev_bass = self._bass_bar(section, base, tick0, prev_bass, final, fill)
                if self.preset.pad is not None:
                    self._pad_bar(section, base, tick0, final)

    def _voicing(self, chord: int, voice: Voice, previous: list[int] | None) -> list[int]:
        tones = chord_tones(chord, self.tonic, self.preset.sevenths)
        return close_voicing(tones, voice.low, voice.high, previous)

    def _comp_bar(
        self, section: Section, base: int, tick0: int, previous: list[int] | None, final: bool
    ) -> list[int] | None:
        voice = self.preset.comp
        style = self.preset.comp_style
        level = section.level
        if final:
            notes = self._voicing(self._chord_at(section, tick0), voice, previous)
            for pitch in notes:
                self._note(voice, pitch, base + tick0, self.bar_len, level)
            return notes
        hits: list[tuple[int, int, float]]  # tick in bar, length, velocity scale
        if style == "strum":
            hits = [(b, int(self.beat_len * 0.7), 1.0 if b % 48 == 0 else 0.82)
                    for b in range(0, self.bar_len, self.beat_len)]  # fmt: skip
        elif style == "oompah68":
            hits = [(24, 11, 0.9), (60, 11, 0.85)]
        elif style == "waltz":
            hits = [(24, 20, 0.85), (48, 20, 0.8)]
        else:  # stabs
            hits = [(0, 30, 1.0), (60, 30, 0.85)]
        for pos, length, scale in hits:
            tick = tick0 + pos
            notes = self._voicing(self._chord_at(section, tick), voice, previous)
            previous = notes
            velocity = self._velocity(int(voice.velocity * scale), level, base + tick)
            for i, pitch in enumerate(notes):
                delay = i * STRUM_SECONDS if style == "strum" else 0.0
                self._note(voice, pitch, base + tick, length, level, delay=delay, velocity=velocity)
        return previous

    def _bass_bar(
        self,
        section: Section,
        base: int,
        tick0: int,
        previous: int | None,
        final: bool,
        fill: bool,
    ) -> int | None:
        voice = self.preset.bass
        style = self.preset.bass_style
        level = section.level
        chord = self._chord_at(section, tick0)
        tones = chord_tones(chord, self.tonic)
        if final:
            note = bass_note(tones[0], voice.low, voice.high, previous)
            self._note(voice, note, base + tick0, self.bar_len, level)
            return note
        beat = self.beat_len
        plan: list[tuple[int, int, int]]  # tick in bar, length, which chord tone (0 root, 2 fifth)
        if style == "root_fifth":
            plan = [(0, int(beat * 0.9), 0), (2 * beat, int(beat * 0.9), 2)]
        elif style == "jig":
            plan = [(0, 30, 0), (36, 30, 2)]
        elif style == "waltz":
            plan = [(0, 22, 0 if (tick0 // self.bar_len) % 2 == 0 else 2)]
        else:  # lofi
            plan = [(0, 40, 0), (60, 12, 0)]
        for pos, length, which in plan:
            tick = tick0 + pos
            tones = chord_tones(self._chord_at(section, tick), self.tonic)
            pc = tones[min(which, len(tones) - 1)]
            previous = bass_note(pc, voice.low, voice.high, previous)
            self._note(voice, previous, base + tick, length, level)
        if fill or style == "lofi":
            # Lead into the next bar's root from a step below.
            next_tick = tick0 + self.bar_len
            if next_tick // self.slot_len < len(section.chords):
                target = chord_tones(self._chord_at(section, next_tick), self.tonic)[0]
            else:
                target = tones[0]
            goal = bass_note(target, voice.low, voice.high, previous)
            step = goal - (1 if style == "lofi" else 2)
            tick = tick0 + self.bar_len - (beat // 2 if style == "lofi" else beat)
            if step >= voice.low:
                self._note(voice, step, base + tick, beat // 2 * 0.9, level)
        return previous

    def _pad_bar(self, section: Section, base: int, tick0: int, final: bool) -> None:
        voice = self.preset.pad
        assert voice is not None
        for slot in range(self.preset.harmony_slots):
            tick = tick0 + slot * self.slot_len
            notes = self._voicing(self._chord_at(section, tick), voice, None)
            length = self.bar_len if final else self.slot_len * 0.98
            for pitch in notes:
                self._note(voice, pitch, base + tick, length, section.level)
            if final:
                break

    def _satb_bar(
        self,
        section: Section,
        base: int,
        tick0: int,
        previous: tuple[int, int, int] | None,
    ) -> tuple[int, int, int] | None:
        """Alto and tenor on the chords instrument, bass on the pedal, one chord per slot."""
        comp, bass = self.preset.comp, self.preset.bass
        final = section.final_chord and tick0 == (section.bars - 1) * self.bar_len
        slots = 1 if final else self.preset.harmony_slots
        length = self.bar_len if final else self.slot_len
        for slot in range(slots):
            tick = tick0 + slot * self.slot_len
            soprano = self._soprano_at(section, tick)
            alto, tenor, low = satb(self._chord_at(section, tick), self.tonic, soprano, previous)
            same = previous is not None and (alto, tenor, low) == previous and slot > 0
            if not same:
                for voice, pitch in ((comp, alto), (comp, tenor), (bass, low)):
                    self._note(voice, pitch, base + tick, length * 0.97, section.level)
            else:
                self._extend(base + tick, length)
            previous = (alto, tenor, low)
        return previous

    def _extend(self, tick: int, length: float) -> None:
        """Tie repeated chorale chords: lengthen the notes that end at this tick."""
        end = self.time.seconds(tick + length * 0.97)
        start = self.time.seconds(tick)
        for name in (self.preset.comp.name, self.preset.bass.name):
            for note in self.instruments.get(name, pretty_midi.Instrument(0)).notes[-3:]:
                if abs(note.end - start) < 0.2:
                    note.end = end

    def _soprano_at(self, section: Section, tick: int) -> int:
        sounding = [e.pitch for e in section.melody if e.pitch is not None and e.onset <= tick]
        pitch = self.melody_tonic + (sounding[-1] if sounding else 7)
        while pitch < 62:
            pitch += 12
        return pitch

    def percussion(self, sections: list[Section]) -> None:
        style = self.preset.drums
        if style is None:
            return
        kit = pretty_midi.Instrument(program=0, is_drum=True, name="drums: " + style)
        self.instruments[kit.name] = kit
        for section in sections:
            base = section.start_bar * self.bar_len
            for bar in range(section.bars):
                tick0 = base + bar * self.bar_len
                if section.final_chord and bar == section.bars - 1:
                    hits: list[drums.Hit] = [*drums.section_start(style), (0, drums.KICK, 90)]
                else:
                    hits = drums.bar_hits(
                        style, self.bar_len, bar, fill_bar=section.fill and bar == section.bars - 1
                    )
                    if bar == 0 and section.kind == "body":
                        hits = hits + drums.section_start(style)
                for pos, note, velocity in hits:
                    vel = self._velocity(velocity, section.level, tick0 + pos)
                    start = self.time.seconds(tick0 + pos)
                    kit.notes.append(
                        pretty_midi.Note(velocity=vel, pitch=note, start=start, end=start + 0.1)
                    )

    def instruments_in_order(self) -> list[pretty_midi.Instrument]:
        return [self.instruments[name] for name in sorted(self.instruments)]
