"""Reward-weighted training: a composed piece as a training tune, and tuned tracks counted
by weight beside the corpus."""

import math

import pytest

from generation.composer import ComposeParams, ComposerError, compose
from generation.composer.corpus import parse_collections
from generation.composer.features import GROUPS, PITCH_START, extract
from generation.composer.model import (
    POINTER,
    artifact_path,
    current_version,
    pointer_set,
    save_model,
)
from generation.composer.theory import MODES
from generation.composer.train import train_from_tunes
from tests.composer_fixtures import composer_cache_dir

SMALL = ["oneills1850", "bach"]


@pytest.fixture(scope="module")
def corpus():
    return parse_collections(SMALL, cache_dir=composer_cache_dir(), limit=6).tunes


@pytest.fixture(scope="module")
def approved(composer_model):
    """Two generated pieces, standing in for tracks the crowd liked."""
    pieces = [
        compose(composer_model, ComposeParams(preset="celtic_reel", seed=seed)) for seed in (7, 8)
    ]
    return [piece.tune for piece in pieces]


def pitch_log_likelihood(model, tune) -> float:
    """Mean log-probability the model gives each melody note of the tune, in its context."""
    f = extract(tune)
    history = [PITCH_START] * 4
    total = 0.0
    for symbol in f.pitches:
        values = {"group": GROUPS.index(f.group), "mode": MODES.index(f.mode)}
        values.update({f"h{k + 1}": history[k] for k in range(4)})
        total += math.log(max(model.pitch.distribution(values)[symbol], 1e-12))
        history = [symbol, *history[:3]]
    return total / len(f.pitches)


def test_a_piece_carries_its_melody_and_chords_as_a_tune(composer_model):
    piece = compose(composer_model, ComposeParams(preset="irish_jig", seed=3))
    tune = piece.tune
    assert tune is not None and tune.collection == "crowd"
    assert tune.meter == piece.params["meter"] and tune.style == "jig"
    assert tune.mode == piece.mode and tune.qpm == piece.tempo_bpm
    # The notes sounding in the melody instrument are the tune's notes (same pitches).
    melody = next(i for i in piece.midi.instruments if not i.is_drum and i.notes)
    heard = sorted(n.pitch for i in piece.midi.instruments for n in i.notes if not i.is_drum)
    sung = sorted(p for _, _, p in tune.notes if p >= 0)
    assert set(sung) <= set(heard) and melody.notes
    features = extract(tune)
    assert features.patterns and features.chords and features.emissions
    assert len(features.pitches) == len(sung)


def test_weighted_tracks_pull_the_tables_toward_them_and_the_corpus_stays(corpus, approved):
    base = train_from_tunes(corpus)
    once = train_from_tunes(corpus, [(tune, 1) for tune in approved])
    heavy = train_from_tunes(corpus, [(tune, 6) for tune in approved])
    for tune in approved:
        assert (
            pitch_log_likelihood(base, tune)
            < pitch_log_likelihood(once, tune)
            < pitch_log_likelihood(heavy, tune)
        )
    # The corpus is still counted: its pieces, its contexts, and its quality reference.
    assert heavy.info["pieces"] == base.info["pieces"] == len(corpus)
    assert heavy.info["tuned"] == {"pieces": 2, "weight": 12}
    assert heavy.pitch.contexts >= base.pitch.contexts
    assert heavy.reference == base.reference
    assert pitch_log_likelihood(heavy, corpus[0]) > math.log(1 / 20)


def test_weights_are_whole_numbers_from_one(corpus, approved):
    for weight in (0, 1.5, True):
        with pytest.raises(ComposerError, match="whole number"):
            train_from_tunes(corpus, [(approved[0], weight)])  # type: ignore[list-item]


def test_a_candidate_is_saved_without_moving_the_pointer(tmp_path, corpus, approved):
    base = train_from_tunes(corpus)
    save_model(base, tmp_path)
    tuned = train_from_tunes(corpus, [(approved[0], 3)])
    save_model(tuned, tmp_path, make_current=False)
    assert current_version(tmp_path) == base.version != tuned.version
    assert artifact_path(tmp_path, tuned.version).is_file()

    pointer_set(tmp_path, tuned.version)
    assert (tmp_path / POINTER).read_text().strip() == f"composer-{tuned.version}.npz"
    assert not list(tmp_path.glob(".tmp-*")), "the pointer is swapped by rename"
