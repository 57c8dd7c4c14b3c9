"""Candidate reranking (issue 12, 2): a steered slot composes K candidates, scores each with the
preference model's plain-data spec and the quality gate, and renders only the best."""

from pathlib import Path

import pytest

from generation import composer, rerank
from generation.models import GenerationBatch, Track
from generation.services import batch_create
from generation.tasks import generate_track

PRESET = "waltz"
# A crowd that likes melodies moving by small steps, and does not care about the rest.
SPEC = {
    "candidates": 8,
    "features": ["mean_abs_interval", "pitch_entropy", "energy"],
    "centre": [2.5, 3.0, 0.5],
    "scale": [0.5, 0.3, 0.1],
    "weights": [-0.2, 0.0, 0.5],
    "intercept": 0.5,
}


def by_hand(model, seed: int, **params) -> dict[str, float]:
    """A candidate composed alone, as a plain track with that seed would be."""
    piece = composer.compose(model, composer.ComposeParams(preset=PRESET, seed=seed, **params))
    return composer.quality_metrics(piece, model)


def predicted(metrics: dict[str, float]) -> float:
    # Energy is unknown before rendering: taken at the centre, it adds nothing.
    return round(0.5 - 0.2 * (metrics["mean_abs_interval"] - 2.5) / 0.5, 4)


def test_the_best_scoring_candidate_is_kept_and_the_choice_recorded(composer_model):
    composed = rerank.compose_best(composer_model, {"preset": PRESET, "seed": 11, "rerank": SPEC})
    record = composed.candidates
    seeds = rerank.candidate_seeds(11, 8)
    assert seeds[0] == 11 and len(set(seeds)) == 8
    assert [c["seed"] for c in record["candidates"]] == seeds
    # Each candidate's score is its own melody's, as if composed alone.
    alone = {seed: by_hand(composer_model, seed) for seed in seeds}
    assert [c["predicted"] for c in record["candidates"]] == [predicted(alone[s]) for s in seeds]
    assert len({c["predicted"] for c in record["candidates"]}) > 1
    passing = [c for c in record["candidates"] if c["passed"]]
    assert passing, "the small test model should pass some candidates"
    chosen = record["candidates"][record["chosen"]]
    assert chosen["passed"] and chosen["predicted"] == max(c["predicted"] for c in passing)
    assert composed.piece.params["seed"] == chosen["seed"] and not composed.reasons
    assert composed.metrics == alone[chosen["seed"]]
    assert record["rank"] == 1 + sum(
        c["predicted"] > chosen["predicted"] for c in record["candidates"]
    )
    choice = rerank.choice_of(record)
    assert choice is not None and (choice.count, choice.seed) == (8, chosen["seed"])
    others = [c["predicted"] for c in record["candidates"] if c is not chosen]
    assert (choice.others_low, choice.others_high) == (min(others), max(others))


def test_the_same_seed_and_params_give_the_same_choice(composer_model):
    raw = {"preset": PRESET, "seed": 4, "tempo_bpm": 120.0, "rerank": SPEC}
    first = rerank.compose_best(composer_model, raw)
    again = rerank.compose_best(composer_model, dict(raw))
    assert first.candidates == again.candidates
    assert first.piece.midi_bytes() == again.piece.midi_bytes()
    other = rerank.compose_best(composer_model, {**raw, "seed": 5})
    assert other.candidates["candidates"] != first.candidates["candidates"]


def test_without_a_spec_one_piece_is_composed_as_always(composer_model):
    raw = {"preset": PRESET, "seed": 21}
    composed = rerank.compose_best(composer_model, raw)
    assert composed.candidates == {}
    plain = composer.compose(composer_model, composer.params_from_dict(raw))
    assert composed.piece.midi_bytes() == plain.midi_bytes()
    # One candidate is that same piece: candidate 0 has the track's own seed.
    alone = rerank.compose_best(composer_model, {**raw, "rerank": {**SPEC, "candidates": 1}})
    assert alone.piece.midi_bytes() == plain.midi_bytes()
    assert alone.candidates["chosen"] == 0 and len(alone.candidates["candidates"]) == 1
    choice = rerank.choice_of(alone.candidates)
    assert choice is not None and choice.others_low is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"candidates": 0}, "candidates must be a whole number from 1 to 32"),
        ({"candidates": True}, "candidates must be a whole number"),
        ({"weights": [1.0]}, "weights must be a list of 3 numbers"),
        ({"scale": [0.5, 0.0, 0.1]}, "scale must be positive"),
        ({"centre": [1.0, float("nan"), 0.1]}, "centre must hold only finite numbers"),
        ({"features": "mean_abs_interval"}, "features must be a list"),
        ({"intercept": None}, "intercept must be a finite number"),
    ],
)
def test_a_bad_spec_is_refused_naming_it(change, message):
    with pytest.raises(composer.ComposerParamError) as caught:
        rerank.spec_from_dict({**SPEC, **change})
    assert caught.value.field == "rerank" and message in str(caught.value)


# --- through the service -----------------------------------------------------------------------


def queued_track(params: dict) -> Track:
    batch = batch_create(
        source=GenerationBatch.Source.COMMAND, batch_params={}, track_params=[params]
    )
    return batch.tracks.get()


@pytest.mark.django_db(transaction=True)
def test_when_the_best_candidate_fails_the_gate_a_passing_one_is_rendered(
    model_settings, queued, monkeypatch, composer_model
):
    raw = {"preset": PRESET, "seed": 11, "target_seconds": 60.0, "rerank": SPEC}
    unchecked = rerank.compose_best(composer_model, raw)
    best = max(unchecked.candidates["candidates"], key=lambda c: c["predicted"])
    # The gate now also rejects every melody that moves by steps as small as the best's.
    gate = composer.quality_gate
    floor = by_hand(composer_model, best["seed"], target_seconds=60.0)["mean_abs_interval"]

    def stricter(metrics, model):
        return gate(metrics, model) + (
            ["too smooth"] if metrics["mean_abs_interval"] <= floor else []
        )

    monkeypatch.setattr(composer, "quality_gate", stricter)
    track = queued_track(raw)
    generate_track(track_id=track.pk)
    track.refresh_from_db()
    assert track.status == Track.Status.READY, track.error
    record = track.candidates
    chosen = record["candidates"][record["chosen"]]
    assert chosen["passed"] and chosen["seed"] != best["seed"]
    assert not next(c for c in record["candidates"] if c["seed"] == best["seed"])["passed"]
    assert record["rank"] >= 2  # a better one was composed, and failed the gate
    # What was rendered is the chosen candidate: its seed, its melody, its files.
    assert track.resolved_params["seed"] == chosen["seed"] and track.seed == 11
    assert track.metrics["mean_abs_interval"] > floor and not track.rejection_reasons
    assert Path(track.audio_mp3.path).is_file() and track.energy is not None
    params = composer.ComposeParams(preset=PRESET, seed=chosen["seed"], target_seconds=60.0)
    piece = composer.compose(composer_model, params)
    assert Path(track.midi.path).read_bytes() == piece.midi_bytes()


@pytest.mark.django_db(transaction=True)
def test_when_no_candidate_passes_the_track_is_rejected_unrendered(
    model_settings, queued, monkeypatch
):
    monkeypatch.setattr(composer, "quality_gate", lambda metrics, model: ["nothing passes"])
    track = queued_track({"preset": PRESET, "seed": 3, "rerank": {**SPEC, "candidates": 3}})
    generate_track(track_id=track.pk)
    track.refresh_from_db()
    assert track.status == Track.Status.REJECTED and not track.audio_mp3
    record = track.candidates
    assert [c["passed"] for c in record["candidates"]] == [False] * 3
    assert record["rank"] == 1  # the best predicted of those that all failed
    choice = rerank.choice_of(record)
    assert choice is not None and choice.passed is False


@pytest.mark.django_db(transaction=True)
def test_a_bad_spec_fails_the_track_with_its_reason(model_settings, queued):
    track = queued_track({"preset": PRESET, "seed": 3, "rerank": {**SPEC, "scale": [1, 1]}})
    generate_track(track_id=track.pk)
    track.refresh_from_db()
    assert track.status == Track.Status.FAILED
    assert track.error.startswith("Composer error: rerank: scale must be a list of 3")
