"""Style presets: instrumentation, tempo, meter, feel and what the model is conditioned on."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Voice:
    """One instrument part: General MIDI program (0-based), name and playable range."""

    program: int
    name: str
    low: int
    high: int
    velocity: int


@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    description: str
    meter: str
    style: str  # corpus style the rhythm model is conditioned on
    group: str  # pitch and harmony context group: "dance", "air" or "chorale"
    harmony_slots: int  # chords per bar
    tempo_range: tuple[int, int]  # quarter notes per minute
    minor_share: float  # chance of minor mode when the caller does not choose
    major_keys: tuple[str, ...]
    minor_keys: tuple[str, ...]
    melody: Voice
    comp: Voice
    comp_style: str  # "strum", "oompah68", "waltz", "satb", "stabs"
    bass: Voice
    bass_style: str  # "root_fifth", "jig", "waltz", "satb", "lofi"
    pad: Voice | None = None
    drums: str | None = None  # "reel", "jig", "boom_bap" or None
    swing: float = 0.5  # share of a beat before the off-beat eighth; 0.5 is straight
    sevenths: bool = False  # colour triads as seventh chords
    legato: float = 0.92  # share of a note's written length that sounds
    seconds_range: tuple[int, int] = (80, 150)
    title_kind: str = "tune"


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            name="celtic_reel",
            label="Celtic reel",
            description="Brisk 4/4 reel: fiddle over strummed guitar, bass and frame drum.",
            meter="4/4",
            style="reel",
            group="dance",
            harmony_slots=2,
            tempo_range=(170, 210),
            minor_share=0.3,
            major_keys=("D", "G", "A", "C"),
            minor_keys=("E", "A", "B", "D"),
            melody=Voice(110, "melody: fiddle", 55, 88, 96),
            comp=Voice(25, "chords: steel guitar", 50, 69, 70),
            comp_style="strum",
            bass=Voice(32, "bass: acoustic bass", 33, 55, 88),
            bass_style="root_fifth",
            drums="reel",
            seconds_range=(80, 150),
            title_kind="reel",
        ),
        Preset(
            name="irish_jig",
            label="Irish jig",
            description="Lilting 6/8 jig: flute with accordion chords, bass and light frame drum.",
            meter="6/8",
            style="jig",
            group="dance",
            harmony_slots=2,
            tempo_range=(150, 185),
            minor_share=0.3,
            major_keys=("D", "G", "A", "C"),
            minor_keys=("E", "A", "B", "D"),
            melody=Voice(73, "melody: flute", 62, 93, 92),
            comp=Voice(21, "chords: accordion", 52, 71, 64),
            comp_style="oompah68",
            bass=Voice(32, "bass: acoustic bass", 33, 55, 84),
            bass_style="jig",
            drums="jig",
            seconds_range=(80, 150),
            title_kind="jig",
        ),
        Preset(
            name="chorale",
            label="Chorale",
            description="Four-part chorale on organ: learned Bach-style harmony, no drums.",
            meter="4/4",
            style="chorale",
            group="chorale",
            harmony_slots=4,
            tempo_range=(60, 84),
            minor_share=0.45,
            major_keys=("C", "D", "F", "G", "Bb", "A", "Eb"),
            minor_keys=("A", "D", "E", "G", "B", "C"),
            melody=Voice(19, "melody: organ soprano", 60, 81, 80),
            comp=Voice(19, "chords: organ alto and tenor", 48, 74, 72),
            comp_style="satb",
            bass=Voice(19, "bass: organ pedal", 36, 60, 78),
            bass_style="satb",
            legato=0.97,
            seconds_range=(75, 140),
            title_kind="chorale",
        ),
        Preset(
            name="lofi",
            label="Lo-fi chill",
            description="Slow, swung 4/4: vibraphone tune over electric piano sevenths, pad, "
            "fingered bass and boom-bap drums.",
            meter="4/4",
            style="air",
            group="air",
            harmony_slots=1,
            tempo_range=(70, 90),
            minor_share=0.55,
            major_keys=("C", "F", "Eb", "Bb", "G", "D"),
            minor_keys=("A", "D", "E", "C", "F", "G"),
            melody=Voice(11, "melody: vibraphone", 60, 86, 78),
            comp=Voice(4, "chords: electric piano", 50, 72, 62),
            comp_style="stabs",
            bass=Voice(33, "bass: fingered bass", 31, 52, 86),
            bass_style="lofi",
            pad=Voice(89, "pad: warm pad", 48, 72, 44),
            drums="boom_bap",
            swing=0.62,
            sevenths=True,
            legato=0.85,
            seconds_range=(90, 160),
            title_kind="lofi",
        ),
        Preset(
            name="waltz",
            label="Waltz",
            description="Graceful 3/4 waltz: violin over oom-pah-pah piano and soft strings.",
            meter="3/4",
            style="waltz",
            group="dance",
            harmony_slots=1,
            tempo_range=(120, 165),
            minor_share=0.35,
            major_keys=("G", "D", "C", "F", "A", "Bb"),
            minor_keys=("A", "D", "E", "G"),
            melody=Voice(40, "melody: violin", 55, 91, 88),
            comp=Voice(0, "chords: piano", 53, 72, 60),
            comp_style="waltz",
            bass=Voice(0, "bass: piano left hand", 31, 55, 74),
            bass_style="waltz",
            pad=Voice(48, "pad: strings", 48, 72, 46),
            seconds_range=(80, 150),
            title_kind="waltz",
        ),
    )
}


# Alternative instrument sets a caller may ask for instead of the preset's own (remixes).
# Only the General MIDI programs and part names change: ranges, velocities and the part
# prefixes (which order the MIDI tracks) stay the preset's, so the notes stay the same.
INSTRUMENTATIONS: dict[str, dict[str, tuple[int, str]]] = {
    "piano": {
        "melody": (0, "piano"),
        "comp": (0, "piano"),
        "bass": (0, "piano left hand"),
        "pad": (48, "strings"),
    },
    "strings": {
        "melody": (40, "violin"),
        "comp": (48, "string ensemble"),
        "bass": (42, "cello"),
        "pad": (49, "slow strings"),
    },
    "winds": {
        "melody": (73, "flute"),
        "comp": (71, "clarinet"),
        "bass": (70, "bassoon"),
        "pad": (52, "choir"),
    },
    "guitar": {
        "melody": (24, "nylon guitar"),
        "comp": (25, "steel guitar"),
        "bass": (32, "acoustic bass"),
        "pad": (48, "strings"),
    },
    "synth": {
        "melody": (81, "saw lead"),
        "comp": (4, "electric piano"),
        "bass": (38, "synth bass"),
        "pad": (89, "warm pad"),
    },
}


def instrumented(preset: Preset, instrumentation: str | None) -> Preset:
    """The preset with another instrument set; None keeps the preset's own."""
    if instrumentation is None:
        return preset
    programs = INSTRUMENTATIONS[instrumentation]

    def swap(voice: Voice, part: str) -> Voice:
        program, label = programs[part]
        prefix = voice.name.split(":", 1)[0]
        return replace(voice, program=program, name=f"{prefix}: {label}")

    return replace(
        preset,
        melody=swap(preset.melody, "melody"),
        comp=swap(preset.comp, "comp"),
        bass=swap(preset.bass, "bass"),
        pad=swap(preset.pad, "pad") if preset.pad is not None else None,
    )
