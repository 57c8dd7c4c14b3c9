"""Reading the corpus: the fast ABC path against music21's full parser, and chorale harmony."""

from music21 import abcFormat
from music21.abcFormat import translate

from generation.composer.abc_parse import parse_tune, split_tunes, style_of
from generation.composer.corpus import collection_files
from generation.composer.features import bar_grid, extract
from generation.composer.records import Tune
from generation.composer.theory import TPQ

TUNE = """X:1
T:Test Reel
M:C|
L:1/8
R:Reel
K:D
|:"D"FA dA =c2 c2|B>.A G<F (3EFG A2-|A2 {g}f2 [df]2 z2:|
"""


def test_abc_key_signature_accidentals_rhythm_ties_tuplets_chords():
    tune = parse_tune(TUNE, collection="test", source="t")
    assert tune is not None
    assert (tune.title, tune.style, tune.meter, tune.tonic, tune.mode) == (
        "Test Reel",
        "reel",
        "4/4",
        2,
        "major",
    )
    e = TPQ // 2
    expected = [
        (66, e), (69, e), (74, e), (69, e),  # F# from the key signature
        (72, 2 * e), (72, 2 * e),  # =c, and the natural carries to the end of the bar
        (71, 3 * e // 2), (69, e // 2),  # B>.A: broken rhythm across a staccato dot
        (67, e // 2), (66, 3 * e // 2),  # G<F
        (64, 8), (66, 8), (67, 8),  # triplet eighths
        (69, 4 * e),  # A2-|A2 tied into one note
        (78, 2 * e),  # {g} grace note dropped
        (78, 2 * e),  # [df]2: the top note of the double stop
        (-1, 2 * e),
    ]  # fmt: skip
    assert [(m, d) for _, d, m in tune.notes] == [(m, d) for m, d in expected]
    onsets = [o for o, _, _ in tune.notes]
    assert onsets == sorted(onsets) and onsets[0] == 0
    assert tune.chords == [(0, 2, "maj")]
    assert tune.chord_source == "symbols"


def test_fast_path_matches_music21_full_parse_on_corpus_tunes():
    chunks = []
    for path in collection_files("ryansMammoth")[:15]:
        chunks.extend(split_tunes(path.read_text(encoding="utf-8", errors="replace")))
    same = 0
    for chunk in chunks:
        mine = parse_tune(chunk, collection="ryansMammoth", source="x")
        handler = abcFormat.ABCHandler(abcVersion=(2, 1, 0))
        handler.process(chunk)
        score = translate.abcToStreamScore(handler).stripTies()
        theirs = []
        for n in score.flatten().notesAndRests:
            if n.duration.isGrace:
                continue
            pitch = -1 if n.isRest else max(p.midi for p in n.pitches)
            theirs.append((round(float(n.quarterLength) * TPQ), pitch))
        assert mine is not None
        same += [(d, m) for _, d, m in mine.notes] == theirs
    # The rest differ where music21 ignores '>' next to a decoration or ties different
    # pitches; the fast path handles those as the ABC standard says.
    assert same >= 0.8 * len(chunks)


def test_styles_come_from_rhythm_field_title_or_collection():
    assert style_of("double jig", "", "oneills1850") == "jig"
    assert style_of("", "The Boys of Malin Reel", "ryansMammoth") == "reel"
    assert style_of("", "Lady's Fancy", "airdsAirs") == "air"
    assert style_of("", "Untitled", "miscFolk") == ""


def test_pickup_bar_and_part_ending_are_placed_on_the_grid():
    e = TPQ // 2
    notes = [(0, e, 69)]  # pickup
    notes += [(e + i * e, e, 62 + i % 5) for i in range(16)]  # two full 4/4 bars
    notes += [(17 * e, 4 * e, 62)]  # a half-bar part ending
    tune = Tune("s", "c", "t", "reel", "4/4", 2, "major", None, notes=notes,
                bar_lines=[e, 9 * e, 17 * e])  # fmt: skip
    bars = bar_grid(tune, 8 * e)
    assert [(b.start, b.full) for b in bars] == [(e - 8 * e, False), (e, True), (9 * e, True),
                                                 (17 * e, False)]  # fmt: skip
    features = extract(tune)
    assert len(features.patterns) == 1 and len(features.patterns[0]) == 2
    assert features.pattern_phrase[0] == [0, 1]


def test_chorale_gives_soprano_and_chords_per_beat():
    from generation.composer.chorale_parse import parse_chorale

    path = next(p for p in collection_files("bach") if p.name == "bwv10.7.mxl")
    tune = parse_chorale(str(path), name=path.name)
    assert tune is not None
    assert tune.style == "chorale" and tune.mode == "minor" and tune.tonic == 7  # G minor
    assert tune.chord_source == "verticalities"
    beats = [c[0] for c in tune.chords]
    assert beats[:4] == [0, TPQ, 2 * TPQ, 3 * TPQ]
    assert tune.chords[0][1:] == (7, "min")  # it opens on the tonic chord
    assert min(n[2] for n in tune.notes if n[2] >= 0) >= 60
