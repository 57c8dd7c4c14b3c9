"""Album and pick services and selectors, against the real database."""

import pytest

from albumvote.exceptions import ApplicationError
from curation.albums import selectors, services
from curation.albums.models import AlbumAudit, AlbumVersion
from curation.models import TrackStats
from curation.ranking.verdict import EMPTY_CROWD_SCORE
from generation.models import Track
from tests.curation.albums.helpers import rated, rated_once_heard_half
from tests.factories import ProducerFactory, ReadyTrackFactory, TrackFactory

pytestmark = pytest.mark.django_db


def test_shortlisting_clears_a_veto_and_tags_are_cleaned():
    producer = ProducerFactory.create()
    track = ReadyTrackFactory.create()
    services.pick_update(track_id=track.pk, user=producer, vetoed=True)
    pick = services.pick_update(
        track_id=track.pk, user=producer, shortlisted=True, tags=[" Opener", "opener", "calm"]
    )
    assert (pick.shortlisted, pick.vetoed) == (True, False)
    assert pick.tags == ["opener", "calm"]
    assert pick.updated_by == producer
    with pytest.raises(ApplicationError, match="not allowed"):
        services.pick_update(track_id=track.pk, user=producer, tags=["<script>"])


def test_the_tracklist_takes_ready_tracks_once_in_the_order_given():
    producer = ProducerFactory.create()
    album = services.album_create(user=producer, title="  Night Drive ")
    a, b, c = ReadyTrackFactory.create_batch(3)
    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[c.pk, a.pk])
    services.album_track_add(album_id=album.pk, user=producer, track_id=b.pk, position=1)
    entries = selectors.album_entries(album_id=album.pk)
    assert [e.track_id for e in entries] == [b.pk, c.pk, a.pk]
    assert [e.position for e in entries] == [1, 2, 3]
    assert album.title == "Night Drive"

    failed = TrackFactory.create(status=Track.Status.FAILED)
    with pytest.raises(ApplicationError) as error:
        services.album_track_add(album_id=album.pk, user=producer, track_id=failed.pk)
    assert error.value.details["not_ready"] == [failed.pk]
    with pytest.raises(ApplicationError, match="once"):
        services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[a.pk, a.pk])
    # Nothing stored was lost by the refused edits.
    assert [e.track_id for e in selectors.album_entries(album_id=album.pk)] == [b.pk, c.pk, a.pk]


def test_totals_sum_length_and_list_keys_and_tempo_range():
    producer = ProducerFactory.create()
    album = services.album_create(user=producer, title="Totals")
    a = ReadyTrackFactory.create(duration_s=100.0, camelot="8A", tempo_bpm=90.0)
    b = ReadyTrackFactory.create(duration_s=130.5, camelot="9A", tempo_bpm=120.0)
    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[a.pk, b.pk])
    totals = selectors.album_totals(selectors.album_entries(album_id=album.pk))
    assert totals == {
        "count": 2,
        "length_s": 230.5,
        "keys": ["8A", "9A"],
        "tempo_min": 90.0,
        "tempo_max": 120.0,
    }


def test_finalizing_snapshots_a_version_and_later_edits_make_the_next_one():
    producer = ProducerFactory.create()
    album = services.album_create(user=producer, title="Versions")
    a = rated(5, 4)
    b = rated(3, 2)
    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[a.pk, b.pk])
    first = services.album_finalize(album_id=album.pk, user=producer)
    assert first.number == 1
    assert [row["track_id"] for row in first.tracklist] == [a.pk, b.pk]
    assert first.tracklist[0]["crowd"]["rating_count"] == 4
    assert first.total_s == 240.0
    assert len(first.transitions) == 1

    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[b.pk])
    second = services.album_finalize(album_id=album.pk, user=producer)
    first.refresh_from_db()
    assert second.number == 2
    assert [row["track_id"] for row in first.tracklist] == [a.pk, b.pk]
    assert [row["track_id"] for row in second.tracklist] == [b.pk]
    album.refresh_from_db()
    assert album.published_version == second
    finalized = AlbumAudit.objects.filter(album=album, action=AlbumAudit.Action.FINALIZED)
    assert [(e.actor, e.details["number"]) for e in finalized] == [(producer, 2), (producer, 1)]


def test_an_empty_album_cannot_be_finalized():
    producer = ProducerFactory.create()
    album = services.album_create(user=producer, title="Empty")
    with pytest.raises(ApplicationError, match="Add tracks"):
        services.album_finalize(album_id=album.pk, user=producer)
    assert not AlbumVersion.objects.exists()


def test_suggestions_never_include_vetoed_rejected_or_failed_tracks():
    producer = ProducerFactory.create()
    good = rated(5, 10)
    vetoed = rated(5, 20)
    services.pick_update(track_id=vetoed.pk, user=producer, vetoed=True)
    TrackFactory.create(status=Track.Status.REJECTED)
    TrackFactory.create(status=Track.Status.FAILED)
    ids = [c.track.pk for c in selectors.suggestion_candidates(weight=0.5)]
    assert ids == [good.pk]


def test_the_weight_slider_moves_from_producer_picks_to_the_crowd():
    producer = ProducerFactory.create()
    crowd_favourite = rated(5, 30)
    shortlisted = rated(2, 30)
    services.pick_update(track_id=shortlisted.pk, user=producer, shortlisted=True)
    by_crowd = [c.track.pk for c in selectors.suggestion_candidates(weight=1.0)]
    by_picks = [c.track.pk for c in selectors.suggestion_candidates(weight=0.0)]
    assert by_crowd == [crowd_favourite.pk, shortlisted.pk]
    assert by_picks == [shortlisted.pk, crowd_favourite.pk]


def test_a_suggestion_is_sequenced_with_the_pins_in_place():
    producer = ProducerFactory.create()
    keys = ["8A", "3B", "9A", "8B", "10A", "5A"]
    tracks = [rated(4, 5 + i, camelot=k, energy=0.3 + 0.1 * i) for i, k in enumerate(keys)]
    album = services.album_create(user=producer, title="Pinned", target_count=4)
    services.album_update(
        album_id=album.pk, user=producer, pinned_first=tracks[0].pk, pinned_last=tracks[1].pk
    )
    album.refresh_from_db()
    suggestion = selectors.album_suggest(album=album)
    assert len(suggestion.order) == 4
    assert suggestion.order[0] == tracks[0].pk and suggestion.order[-1] == tracks[1].pk
    assert len(suggestion.transitions) == 3
    assert all(t["why"] for t in suggestion.transitions)
    assert selectors.album_suggest(album=album).order == suggestion.order


def test_bad_album_fields_name_the_field():
    producer = ProducerFactory.create()
    with pytest.raises(ApplicationError) as error:
        services.album_create(user=producer, title=" ")
    assert error.value.details == {"field": "title"}
    album = services.album_create(user=producer, title="Ok")
    for field, value in [("target_count", 0), ("crowd_weight", 1.5), ("target_length_s", "x")]:
        with pytest.raises(ApplicationError) as error:
            services.album_update(album_id=album.pk, user=producer, **{field: value})
        assert error.value.details["field"] == field


def test_finalizing_an_unchanged_album_is_refused_and_makes_no_version():
    producer = ProducerFactory.create()
    album = services.album_create(user=producer, title="Once", description="First cut")
    a, b = ReadyTrackFactory.create_batch(2)
    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[a.pk, b.pk])
    services.album_finalize(album_id=album.pk, user=producer)
    # The crowd moving on is not a change of the album.
    TrackStats.objects.create(track=a, rating_count=1, rating_sum=5, stars_5=1)

    with pytest.raises(ApplicationError) as refused:
        services.album_finalize(album_id=album.pk, user=producer)
    assert refused.value.code == "unchanged"
    assert 400 <= refused.value.status_code < 500
    assert "version 1" in refused.value.message
    assert refused.value.details == {"version": 1}
    assert list(AlbumVersion.objects.values_list("number", flat=True)) == [1]
    assert AlbumAudit.objects.filter(action=AlbumAudit.Action.FINALIZED).count() == 1

    # Any part of what a version holds counts: the order, the title, the description.
    for change in (
        lambda: services.album_tracklist_set(
            album_id=album.pk, user=producer, track_ids=[b.pk, a.pk]
        ),
        lambda: services.album_update(album_id=album.pk, user=producer, title="Twice"),
        lambda: services.album_update(album_id=album.pk, user=producer, description="Recut"),
    ):
        change()
        services.album_finalize(album_id=album.pk, user=producer)
    assert list(AlbumVersion.objects.values_list("number", flat=True)) == [4, 3, 2, 1]


def test_the_album_says_which_version_its_working_state_matches():
    producer = ProducerFactory.create()
    album = services.album_create(user=producer, title="Match")
    a, b = ReadyTrackFactory.create_batch(2)
    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[a.pk, b.pk])
    assert selectors.album_matching_version(album_id=album.pk) is None
    services.album_finalize(album_id=album.pk, user=producer)
    assert selectors.album_matching_version(album_id=album.pk) == 1
    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[b.pk, a.pk])
    assert selectors.album_matching_version(album_id=album.pk) is None


def stats(track: Track, **columns) -> TrackStats:
    return TrackStats.objects.create(track=track, **columns)


def test_suggestions_use_the_one_crowd_score_and_a_rated_track_beats_untouched_ones():
    """The walk-through's case: one track rated 3.0 (listened half-way) among tracks nobody
    has rated. Its crowd score is the stored one, and the untouched tracks score what an empty
    stats row scores (the verdict's EMPTY_CROWD_SCORE), whether or not their row exists yet."""
    untouched = ReadyTrackFactory.create()  # no stats row yet
    empty_row = ReadyTrackFactory.create()
    stats(empty_row)
    rated_once = ReadyTrackFactory.create()
    heard = rated_once_heard_half(rated_once)
    heard.refresh_from_db()

    ranked = selectors.suggestion_candidates(weight=1.0)
    assert ranked[0].track.pk == rated_once.pk
    crowd = {c.track.pk: c.crowd for c in ranked}
    assert crowd[rated_once.pk] == pytest.approx(heard.crowd_score)
    assert crowd[untouched.pk] == pytest.approx(EMPTY_CROWD_SCORE)
    assert crowd[empty_row.pk] == pytest.approx(EMPTY_CROWD_SCORE)
    assert heard.crowd_score > EMPTY_CROWD_SCORE


def test_at_an_equal_suggestion_score_rated_tracks_come_first():
    # Picks only: every track not shortlisted scores 0, and rated ones lead the tie.
    rated_older = rated(2, 1)
    unrated = ReadyTrackFactory.create()
    rated_newer = rated(4, 3)
    ranked = selectors.suggestion_candidates(weight=0.0)
    assert [c.score for c in ranked] == [0.0, 0.0, 0.0]
    assert [c.track.pk for c in ranked] == [rated_newer.pk, rated_older.pk, unrated.pk]
    assert [c.rated for c in ranked] == [True, True, False]
