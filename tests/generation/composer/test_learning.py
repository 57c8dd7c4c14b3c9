"""The model is learned: what it writes follows the transitions of what it was trained on."""

import itertools

import numpy as np

from generation.composer import ComposeParams, compose
from generation.composer.model import read_model, save_model
from generation.composer.ngram import Layout, count_table
from generation.composer.quality import melody_notes
from generation.composer.records import Tune
from generation.composer.theory import TPQ
from generation.composer.train import train_from_tunes

ARPEGGIO = (0, 4, 7, 12, 7, 4)  # D F# A d A F#, over and over


def synthetic_tune(index: int) -> Tune:
    e = TPQ // 2
    notes = [(i * e, e, 62 + ARPEGGIO[i % len(ARPEGGIO)]) for i in range(8 * 16)]
    bar_lines = [b * 8 * e for b in range(17)]
    return Tune(f"synthetic/{index}", "synthetic", f"T{index}", "reel", "4/4", 2, "major",
                None, notes=notes, bar_lines=bar_lines)  # fmt: skip


def test_samples_follow_the_training_corpus(tmp_path):
    model = train_from_tunes([synthetic_tune(i) for i in range(30)])
    model = read_model(save_model(model, tmp_path))
    allowed = {(ARPEGGIO[i] % 12, ARPEGGIO[(i + 1) % 6] % 12) for i in range(6)}
    for seed in range(3):
        piece = compose(
            model, ComposeParams(preset="celtic_reel", seed=seed, tonic="D", mode="major")
        )
        section = next(s for s in piece.sections if s["label"] == "A")
        bar_len = 4 * TPQ
        start = sum(s["bars"] for s in piece.sections[: piece.sections.index(section)]) * bar_len
        notes = [
            n for n in melody_notes(piece) if start <= n[0] < start + section["bars"] * bar_len
        ]
        pcs = [(p - 2) % 12 for _, _, p in notes]
        assert set(pcs) <= {0, 4, 7}
        pairs = list(itertools.pairwise(pcs))
        assert sum(p in allowed for p in pairs) >= 0.9 * len(pairs)
        # The only bar rhythm in the corpus is eight even eighths.
        assert all((o - start) % (TPQ // 2) == 0 for o, _, _ in notes)
        assert len(notes) == 8 * section["bars"]


def test_witten_bell_blend_backs_off_for_unseen_contexts():
    layout = Layout(fields=("ctx",), widths=(4,), levels=(("ctx",), ()))
    contexts = np.array([1, 1, 1, 2], dtype=np.int64)
    symbols = np.array([0, 0, 1, 2], dtype=np.int64)
    table = count_table(layout, 3, {"ctx": contexts}, symbols)
    seen = table.distribution({"ctx": 1})
    unseen = table.distribution({"ctx": 9})
    assert np.isclose(seen.sum(), 1) and np.isclose(unseen.sum(), 1)
    np.testing.assert_allclose(unseen, [0.5, 0.25, 0.25])  # the unigram
    # Context 1: counts (2, 1), two types: (c + 2 * unigram) / (3 + 2).
    np.testing.assert_allclose(seen, [(2 + 1.0) / 5, (1 + 0.5) / 5, (0 + 0.5) / 5])
