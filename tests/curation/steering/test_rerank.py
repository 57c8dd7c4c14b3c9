"""A steered slot is the best of its composed candidates (issue 12, 2: candidate reranking):
scored by the crowd's preference model, recorded with its rank among K, and shown to producers.

Rendering is not the point here: the render stage is replaced by a note of what it was given.
"""

import pytest

from curation.steering import services
from curation.steering.launch import steered_batch_launch
from curation.steering.models import TrackSteering
from generation import dispatch, rerank
from generation import services as generation_services
from generation.features import track_features
from generation.models import GenerationBatch, Track
from generation.services import batch_params_validate
from generation.tasks import generate_track
from tests.factories import ProducerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rendered(monkeypatch, model_settings) -> dict[int, object]:
    """The piece each track would have rendered, by track id (tracks stay 'rendering')."""
    given: dict[int, object] = {}
    monkeypatch.setattr(dispatch, "generate_tracks", lambda ids: None)
    monkeypatch.setattr(
        generation_services,
        "_track_render",
        lambda track_id, attempt, piece: given.__setitem__(track_id, piece),
    )
    return given


@pytest.fixture
def batch(smooth_melodies_win, rendered):
    version = services.preference_fit()
    assert version is not None
    # The crowd's taste was found: smaller steps, a higher score.
    effect = version.coefficients[version.features.index("mean_abs_interval")]
    assert effect < 0
    params = batch_params_validate({"count": 5, "seed": 12, "preset": "waltz"})
    batch = steered_batch_launch(params=params, source=GenerationBatch.Source.COMMAND)
    for track in batch.tracks.order_by("position"):
        generate_track(track_id=track.pk)
    return batch


def rescored(track: Track, spec: rerank.Spec) -> float:
    """The chosen piece's score, recomputed from what the track stored."""
    centre = dict(zip(spec.features, spec.centre, strict=True))
    values = dict(
        zip(
            spec.features,
            track_features(
                preset=track.preset,
                resolved=track.resolved_params,
                energy=centre["energy"],  # unknown before rendering: the mean
                metrics=track.metrics,
            )
            or [],
            strict=True,
        )
    )
    return spec.intercept + sum(
        w * (values[name] - c) / s
        for name, c, s, w in zip(spec.features, spec.centre, spec.scale, spec.weights, strict=True)
    )


def test_each_steered_track_is_the_best_of_its_candidates_and_says_so(batch, rendered):
    steering = {s.track_id: s for s in TrackSteering.objects.filter(track__batch=batch)}
    steered = [t for t in batch.tracks.order_by("position") if steering[t.pk].steered]
    assert len(steered) == 4  # 20% explore
    for track in steered:
        assert track.status == Track.Status.RENDERING, track.error
        _, spec = rerank.compose_request(track.params)
        assert spec is not None
        record = track.candidates
        assert len(record["candidates"]) == 8
        chosen = record["candidates"][record["chosen"]]
        passing = [c["predicted"] for c in record["candidates"] if c["passed"]]
        assert chosen["passed"] and chosen["predicted"] == max(passing)
        assert record["rank"] == 1 + sum(
            c["predicted"] > chosen["predicted"] for c in record["candidates"]
        )
        # The score is the rendered piece's own, under the slot's drawn effects.
        assert chosen["predicted"] == pytest.approx(rescored(track, spec), abs=1e-4)
        assert rendered[track.pk].params["seed"] == chosen["seed"] == track.resolved_params["seed"]
        # Provenance: the export manifest's steering entry carries the record.
        assert steering[track.pk].provenance()["candidates"] == record


def test_an_exploring_slot_composes_one_candidate(batch, rendered):
    exploring = Track.objects.get(batch=batch, steering__steered=False)
    assert rerank.SPEC_KEY not in exploring.params and exploring.candidates == {}
    assert rendered[exploring.pk].params["seed"] == exploring.seed
    assert TrackSteering.objects.get(track=exploring).provenance()["candidates"] is None


def test_the_same_launch_gives_the_same_choices(batch, rendered):
    again = steered_batch_launch(
        params=batch_params_validate({"count": 5, "seed": 12, "preset": "waltz"}),
        source=GenerationBatch.Source.COMMAND,
    )
    for track in again.tracks.all():
        generate_track(track_id=track.pk)
    first = [(t.params, t.candidates) for t in batch.tracks.order_by("position")]
    assert first == [(t.params, t.candidates) for t in again.tracks.order_by("position")]


def test_the_producers_track_page_gives_the_rank_among_k(batch, client):
    client.force_login(ProducerFactory.create())
    track = Track.objects.filter(batch=batch, steering__steered=True).first()
    assert track is not None
    choice = rerank.choice_of(track.candidates)
    assert choice is not None
    page = client.get(f"/producer/tracks/{track.pk}/").content.decode()
    if choice.rank == 1:
        lead = "Best of 8 candidates by this slot's sampled taste"
    else:
        lead = (
            f"Ranked {choice.rank} of 8 candidates, the best by this slot's sampled taste "
            "that passed the quality gate"
        )
    assert (
        f"{lead}: scoring {choice.predicted:.2f}; the others "
        f"{choice.others_low:.2f}\N{EN DASH}{choice.others_high:.2f}."
    ) in page
    exploring = Track.objects.get(batch=batch, steering__steered=False)
    assert "candidates" not in client.get(f"/producer/tracks/{exploring.pk}/").content.decode()


@pytest.mark.parametrize(
    ("passed", "said"),
    [
        (
            [False, True, True],
            "Ranked 2 of 3 candidates, the best by this slot's sampled taste that passed "
            "the quality gate: scoring 0.60; "
            "the others 0.40\N{EN DASH}0.70.",
        ),
        (
            [False, False, False],
            "None of 3 candidates passed the quality gate: the best by this slot's sampled "
            "taste, scoring 0.70, was kept; "
            "the others 0.40\N{EN DASH}0.60.",
        ),
    ],
)
def test_the_page_says_when_better_candidates_failed_the_gate(batch, client, passed, said):
    track = Track.objects.filter(batch=batch, steering__steered=True).first()
    assert track is not None
    scores = [0.7, 0.6, 0.4]
    chosen = passed.index(True) if any(passed) else 0
    Track.objects.filter(pk=track.pk).update(
        candidates={
            "chosen": chosen,
            "rank": 1 + sum(s > scores[chosen] for s in scores),
            "candidates": [
                {"seed": n, "predicted": s, "passed": p}
                for n, (s, p) in enumerate(zip(scores, passed, strict=True))
            ],
        }
    )
    client.force_login(ProducerFactory.create())
    assert said in client.get(f"/producer/tracks/{track.pk}/").content.decode()
