"""Composer versions: a crowd-tuned candidate, composing by a chosen version, duels, and
promotion and rollback swapping the "current" pointer."""

import pytest
from django.core.files.base import ContentFile

from albumvote.exceptions import ApplicationError
from generation import services
from generation.composer.model import POINTER, current_version
from generation.duels import duel_launch
from generation.models import ComposerVersion, GenerationBatch, Track
from generation.music import model_get
from generation.versions import (
    composer_version_promote,
    composer_version_rollback,
    composer_version_sync,
    composer_version_train,
)
from tests.factories import ProducerFactory
from tests.tuning import composed_track

pytestmark = pytest.mark.django_db


@pytest.fixture
def liked(own_model_dir):
    """Two published tracks of the current version, standing in for what the crowd liked."""
    model = model_get()
    return [composed_track(model, preset="waltz", seed=seed) for seed in (11, 12)]


@pytest.fixture
def candidate(liked):
    return composer_version_train(tuned=[(liked[0].pk, 3), (liked[1].pk, 1)])


def test_a_candidate_is_trained_on_the_corpus_and_the_weighted_tracks(own_model_dir, liked):
    base_version = current_version(own_model_dir)
    producer = ProducerFactory.create()
    row = composer_version_train(
        tuned=[(liked[0].pk, 3), (liked[1].pk, 1)],
        created_by=producer,
        selection={"rule": "test"},
    )
    assert row.status == ComposerVersion.Status.CANDIDATE and row.created_by == producer
    assert row.parent is not None and row.parent.version == base_version
    assert row.parent.status == ComposerVersion.Status.CURRENT
    assert row.parent.promoted_how == ComposerVersion.How.TRAINED
    training = row.training
    assert training["tuned"] == [
        {"track": liked[0].pk, "weight": 3},
        {"track": liked[1].pk, "weight": 1},
    ]
    assert training["tuned_weight"] == 4 and training["skipped"] == []
    base_info = model_get(base_version).info
    assert training["corpus_pieces"] == base_info["pieces"] > 0
    assert training["collections"] == base_info["collections"]
    assert training["selection"] == {"rule": "test"}
    # A candidate does not compose until it is promoted: the pointer has not moved.
    assert current_version(own_model_dir) == base_version != row.version
    assert model_get(row.version).info["tuned"] == {"pieces": 2, "weight": 4}


def test_tracks_that_cannot_be_composed_again_as_heard_are_skipped(own_model_dir, liked):
    altered = liked[1]
    altered.midi.save("track.mid", ContentFile(b"MThd not what the crowd heard"))
    queued = Track.objects.create(
        batch=altered.batch, position=99, preset="waltz", seed=1, params={"preset": "waltz"}
    )
    row = composer_version_train(tuned=[(liked[0].pk, 2), (altered.pk, 5), (queued.pk, 1)])
    assert row.training["tuned"] == [{"track": liked[0].pk, "weight": 2}]
    reasons = {s["track"]: s["reason"] for s in row.training["skipped"]}
    assert "other MIDI" in reasons[altered.pk] and "not a published" in reasons[queued.pk]

    with pytest.raises(ApplicationError) as caught:
        composer_version_train(tuned=[(altered.pk, 1)])
    assert caught.value.code == "nothing_to_tune" and caught.value.status_code == 409
    with pytest.raises(ApplicationError, match="whole number"):
        composer_version_train(tuned=[(liked[0].pk, 0)])


def test_promotion_and_rollback_swap_the_pointer_and_record_who_and_when(own_model_dir, candidate):
    base = ComposerVersion.objects.get(status=ComposerVersion.Status.CURRENT)
    producer = ProducerFactory.create()
    promoted = composer_version_promote(version_id=candidate.pk, by=producer)
    assert (own_model_dir / POINTER).read_text().strip() == f"composer-{candidate.version}.npz"
    assert model_get().version == candidate.version, "the next track composes with it"
    promoted.refresh_from_db()
    base.refresh_from_db()
    assert promoted.status == "current" and promoted.promoted_by == producer
    assert promoted.promoted_how == "hand" and promoted.promoted_at is not None
    assert promoted.replaced == base
    assert base.status == "retired" and base.retired_at is not None

    with pytest.raises(ApplicationError) as caught:
        composer_version_promote(version_id=candidate.pk)
    assert caught.value.code == "already_current"

    back = composer_version_rollback(by=producer)
    assert back == base and current_version(own_model_dir) == base.version
    assert model_get().version == base.version
    back.refresh_from_db()
    candidate.refresh_from_db()
    assert back.status == "current" and back.promoted_how == "rollback"
    assert candidate.status == "retired"
    with pytest.raises(ApplicationError) as caught:
        composer_version_rollback()
    assert caught.value.code == "nothing_to_roll_back" and caught.value.status_code == 409


def test_a_swap_that_cannot_move_the_pointer_changes_nothing(own_model_dir, candidate):
    (own_model_dir / candidate.artifact).unlink()
    with pytest.raises(ApplicationError) as caught:
        composer_version_promote(version_id=candidate.pk)
    assert caught.value.code == "no_model"
    candidate.refresh_from_db()
    assert candidate.status == "candidate"
    assert ComposerVersion.objects.get(status="current").version == current_version(own_model_dir)


def test_unknown_versions_are_404(own_model_dir):
    with pytest.raises(ApplicationError) as caught:
        composer_version_promote(version_id=987654)
    assert caught.value.status_code == 404 and caught.value.code == "not_found"


def test_rows_follow_a_pointer_moved_outside(own_model_dir, candidate):
    (own_model_dir / POINTER).write_text(candidate.artifact + "\n")  # as train_composer would
    row = composer_version_sync()
    assert row == candidate
    assert list(ComposerVersion.objects.filter(status="current")) == [candidate]


def test_a_duel_composes_pairs_with_the_same_parameters_one_by_each_version(
    own_model_dir, candidate, queued, django_capture_on_commit_callbacks
):
    incumbent = composer_version_sync()
    with django_capture_on_commit_callbacks(execute=True):
        batch = duel_launch(candidate_id=candidate.pk, pairs=3, seed=5, source="api")
    assert batch.duel_candidate == candidate and batch.duel_incumbent == incumbent
    tracks = list(batch.tracks.order_by("position"))
    assert len(tracks) == 6 and queued == [t.pk for t in tracks]
    for first, second in zip(tracks[::2], tracks[1::2], strict=True):
        assert first.params == second.params and first.seed == second.seed
        assert {first.composer_version, second.composer_version} == {
            incumbent.version,
            candidate.version,
        }
    assert [t.composer_version for t in tracks[:2]] != [t.composer_version for t in tracks[2:4]]

    # Composed by the version asked for (the worker's path).
    for track in tracks[:2]:
        services.track_generate(track_id=track.pk)
    done = list(Track.objects.filter(pk__in=[t.pk for t in tracks[:2]]).order_by("position"))
    assert [t.model_version for t in done] == [t.composer_version for t in tracks[:2]]
    assert all(t.status in (Track.Status.READY, Track.Status.REJECTED) for t in done)


def test_only_a_candidate_duels_and_pairs_are_checked(own_model_dir, candidate):
    current = composer_version_sync()
    with pytest.raises(ApplicationError) as caught:
        duel_launch(candidate_id=current.pk, pairs=2, source="api")
    assert caught.value.code == "not_a_candidate"
    for pairs in (0, "2", 10_000):
        with pytest.raises(ApplicationError, match="pairs"):
            duel_launch(candidate_id=candidate.pk, pairs=pairs, source="api")
    assert not GenerationBatch.objects.filter(duel_candidate__isnull=False).exists()
