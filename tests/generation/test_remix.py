"""Remixes: variations of a finished track as a small batch linked to it, through the API,
the service, the composer, the selectors and the pages."""

import pytest
from django.template.loader import render_to_string
from django.test import Client
from rest_framework.test import APIClient

from albumvote.exceptions import ApplicationError
from generation import composer, remix, selectors
from generation.composer.params import PARAM_NAMES, SECONDS_RANGE
from generation.composer.presets import INSTRUMENTATIONS
from generation.models import GenerationBatch, Track
from tests.factories import ProducerFactory, ReadyTrackFactory, TrackFactory, UserFactory

pytestmark = pytest.mark.django_db

RESOLVED = {
    "preset": "celtic_reel",
    "seed": 4242,
    "temperature": 1.0,
    "tempo_bpm": 180.0,
    "mode": "major",
    "tonic": "D",
    "target_seconds": 120.0,
    "meter": "4/4",
    "form": "intro A A' B outro",
    "style": "reel",
}
RESOLVED_COMPOSE = {k: v for k, v in RESOLVED.items() if k in PARAM_NAMES}


def parent_track(**kwargs) -> Track:
    fields = {"preset": "celtic_reel", "seed": 4242, "resolved_params": dict(RESOLVED)}
    return ReadyTrackFactory.create(**{**fields, **kwargs})


def launch(parent: Track, variations, user=None) -> GenerationBatch:
    return remix.remix_launch(track_id=parent.pk, variations=variations, user=user)


def error_of(parent: Track, variations) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        launch(parent, variations)
    return caught.value


# --- the service ---------------------------------------------------------------------------


def test_a_remix_is_a_queued_batch_linked_to_its_parent(queued, django_capture_on_commit_callbacks):
    parent = parent_track()
    producer = ProducerFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        batch = launch(
            parent,
            [{"tempo_bpm": 170}, {"tonic": "e", "mode": "minor"}, {"instrumentation": "piano"}],
            user=producer,
        )
    assert batch.source == GenerationBatch.Source.REMIX
    assert batch.remix_of_id == parent.pk
    assert batch.launched_by == producer
    assert batch.count == 3
    assert batch.params["remix_of"] == parent.pk
    assert batch.params["variations"] == [
        {"tempo_bpm": 170.0},
        {"tonic": "E", "mode": "minor"},
        {"instrumentation": "piano"},
    ]
    tracks = list(batch.tracks.order_by("position"))
    assert [t.status for t in tracks] == [Track.Status.QUEUED] * 3
    assert queued == [t.pk for t in tracks]  # dispatched like any batch, after commit


def test_each_variation_changes_only_what_was_asked_and_keeps_the_seed(queued):
    parent = parent_track()
    batch = launch(
        parent,
        [{"tempo_bpm": 160}, {"tonic": "E", "mode": "minor"}, {"temperature": 1.3}],
    )
    tempo, key, hot = (t.params for t in batch.tracks.order_by("position"))
    inherited = {k: RESOLVED[k] for k in ("preset", "seed", "temperature", "mode", "tonic")}
    # Same number of bars at the new tempo: the length scales with the tempo ratio.
    assert tempo == {**inherited, "tempo_bpm": 160.0, "target_seconds": 135.0}
    assert key == {**RESOLVED_COMPOSE, "tonic": "E", "mode": "minor"}
    assert hot == {**RESOLVED_COMPOSE, "temperature": 1.3}
    assert {t.seed for t in batch.tracks.all()} == {parent.seed}
    for params in (tempo, key, hot):
        composer.params_from_dict(params)  # what the worker will compose is valid


def test_a_scaled_length_stays_in_the_composer_range(queued):
    batch = launch(parent_track(), [{"tempo_bpm": 60}])
    assert batch.tracks.get().params["target_seconds"] == SECONDS_RANGE[1]


def test_a_remix_of_a_remix_keeps_its_instruments_unless_reset(queued):
    parent = parent_track(resolved_params={**RESOLVED, "instrumentation": "strings"})
    batch = launch(parent, [{"tempo_bpm": 170}, {"instrumentation": None}])
    tempo, reset = (t.params for t in batch.tracks.order_by("position"))
    assert tempo["instrumentation"] == "strings"
    assert "instrumentation" not in reset
    assert batch.params["variations"][1] == {"instrumentation": None}


@pytest.mark.parametrize(
    ("variations", "field"),
    [
        ([{"tempo_bpm": 300}], "tempo_bpm"),
        ([{"tempo_bpm": "fast"}], "tempo_bpm"),
        ([{"tempo_bpm": None}], "tempo_bpm"),
        ([{"tonic": "H"}], "tonic"),
        ([{"mode": "dorian"}], "mode"),
        ([{"instrumentation": "kazoo"}], "instrumentation"),
        ([{"temperature": 5}], "temperature"),
        ([], "variations"),
        ([{"tempo_bpm": 100 + n} for n in range(5)], "variations"),
        ("tempo 140", "variations"),
        ([140], "variations"),
        ([{"tempo_bpm": 180}], "variations"),  # the parent's own tempo changes nothing
        ([{"tempo_bpm": 150}, {"tempo_bpm": 150.0}], "variations"),  # the same twice
    ],
)
def test_bad_variations_are_refused_naming_the_field(variations, field, queued):
    error = error_of(parent_track(), variations)
    assert error.status_code == 400
    assert error.details["field"] == field
    assert GenerationBatch.objects.filter(source=GenerationBatch.Source.REMIX).count() == 0


def test_unknown_variation_fields_are_named():
    error = error_of(parent_track(), [{"tempo_bpm": 150}, {"tempo": 140, "seed": 3}])
    assert error.details == {"fields": ["seed", "tempo"], "variation": 1}
    assert "tempo" in error.message and "seed" in error.message


@pytest.mark.parametrize("status", [Track.Status.QUEUED, Track.Status.FAILED])
def test_only_finished_tracks_can_be_remixed(status):
    parent = TrackFactory.create(status=status)
    error = error_of(parent, [{"tempo_bpm": 150}])
    assert error.status_code == 400 and error.code == "not_remixable"


def test_a_rejected_track_can_be_remixed(queued):
    parent = parent_track(status=Track.Status.REJECTED)
    assert launch(parent, [{"temperature": 0.8}]).remix_of_id == parent.pk


# --- the API -------------------------------------------------------------------------------


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def assert_error_shape(body: dict) -> dict:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["message"]
    return body["error"]


def test_a_producer_remixes_through_the_api(queued):
    parent = parent_track()
    response = api(ProducerFactory.create()).post(
        f"/api/v1/tracks/{parent.pk}/remix/",
        {"variations": [{"tempo_bpm": 140}, {"instrumentation": "synth"}]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["source"] == "remix" and body["count"] == 2
    assert body["counts"]["queued"] == 2
    assert GenerationBatch.objects.get(pk=body["id"]).remix_of_id == parent.pk


@pytest.mark.parametrize("who", ["anonymous", "listener"])
def test_only_producers_can_remix(who, queued):
    parent = parent_track()
    client = api(UserFactory.create() if who == "listener" else None)
    response = client.post(
        f"/api/v1/tracks/{parent.pk}/remix/", {"variations": [{"tempo_bpm": 140}]}, format="json"
    )
    assert response.status_code in ((401, 403) if who == "anonymous" else (403,))
    assert_error_shape(response.json())
    assert not GenerationBatch.objects.filter(remix_of=parent).exists()


def test_an_unknown_track_is_404_in_the_error_shape():
    response = api(ProducerFactory.create()).post(
        "/api/v1/tracks/999999/remix/", {"variations": [{"tempo_bpm": 140}]}, format="json"
    )
    assert response.status_code == 404
    assert assert_error_shape(response.json())["code"] == "not_found"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"variations": [{"tempo_bpm": 500}]}, {"field": "tempo_bpm", "variation": 0}),
        ({"variations": [{"key": "E"}]}, {"fields": ["key"], "variation": 0}),
        ({"variations": [{"tempo_bpm": 140}], "count": 2}, {"fields": ["count"]}),
        ({}, {"field": "variations"}),
    ],
)
def test_bad_remix_requests_are_400_naming_the_field(body, detail):
    parent = parent_track()
    response = api(ProducerFactory.create()).post(
        f"/api/v1/tracks/{parent.pk}/remix/", body, format="json"
    )
    assert response.status_code == 400
    assert assert_error_shape(response.json())["details"] == detail


# --- the composer: what stays the same -----------------------------------------------------


def melody_pitches(piece: composer.Piece) -> list[int]:
    melody = next(i for i in piece.midi.instruments if i.name.startswith("melody"))
    return [note.pitch for note in sorted(melody.notes, key=lambda n: (n.start, n.pitch))]


def composed_parent(model: composer.ComposerModel, **params) -> tuple[Track, composer.Piece]:
    piece = composer.compose(model, composer.ComposeParams(**params))
    track = ReadyTrackFactory.create(
        preset=params["preset"], seed=params["seed"], resolved_params=piece.params
    )
    return track, piece


def test_the_parents_pinned_params_compose_the_parent_exactly(composer_model):
    parent, piece = composed_parent(composer_model, preset="lofi", seed=77)
    again = composer.compose(
        composer_model, composer.params_from_dict(remix.remix_base_params(parent))
    )
    assert again.midi_bytes() == piece.midi_bytes()


@pytest.mark.parametrize(("preset", "seed"), [("celtic_reel", 11), ("waltz", 12)])
def test_a_tempo_variation_in_the_same_band_plays_the_same_pitches(composer_model, preset, seed):
    parent, piece = composed_parent(composer_model, preset=preset, seed=seed)
    # Ten percent slower, inside the preset's tempo band (fast for reels, medium for waltzes).
    tempo = round(piece.tempo_bpm * 0.93)
    _, [params] = remix.remix_variations_validate(parent=parent, variations=[{"tempo_bpm": tempo}])
    slower = composer.compose(composer_model, composer.params_from_dict(params))
    assert slower.tempo_bpm == tempo != piece.tempo_bpm
    assert slower.params["form"] == piece.params["form"]
    assert melody_pitches(slower) == melody_pitches(piece)
    assert slower.duration_s > piece.duration_s


@pytest.mark.parametrize("instrumentation", sorted(INSTRUMENTATIONS))
def test_an_instrumentation_variation_changes_the_programs_and_nothing_else(
    composer_model, instrumentation
):
    parent, piece = composed_parent(composer_model, preset="waltz", seed=5)
    _, [params] = remix.remix_variations_validate(
        parent=parent, variations=[{"instrumentation": instrumentation}]
    )
    other = composer.compose(composer_model, composer.params_from_dict(params))
    assert other.params == {**piece.params, "instrumentation": instrumentation}
    assert len(other.midi.instruments) == len(piece.midi.instruments)
    roles = {"melody": "melody", "chords": "comp", "bass": "bass", "pad": "pad"}
    for new, old in zip(other.midi.instruments, piece.midi.instruments, strict=True):
        prefix = old.name.split(":")[0]
        assert new.name.split(":")[0] == prefix
        assert new.is_drum == old.is_drum
        assert [(n.pitch, n.start, n.end, n.velocity) for n in new.notes] == [
            (n.pitch, n.start, n.end, n.velocity) for n in old.notes
        ]
        if not old.is_drum:
            assert new.program == INSTRUMENTATIONS[instrumentation][roles[prefix]][0]
    programs = [i.program for i in other.midi.instruments]
    assert programs != [i.program for i in piece.midi.instruments]
    # The quality gate judges the melody, which did not change.
    assert composer.quality_metrics(other, composer_model) == composer.quality_metrics(
        piece, composer_model
    )


def test_an_unknown_instrumentation_is_a_composer_param_error():
    with pytest.raises(composer.ComposerParamError) as caught:
        composer.params_from_dict({"preset": "waltz", "seed": 1, "instrumentation": "kazoo"})
    assert caught.value.field == "instrumentation"
    assert "piano" in str(caught.value)


# --- selectors and pages -------------------------------------------------------------------


def remix_family(queued) -> tuple[Track, dict[str, Track]]:
    """A parent with two remix batches; remix tracks in every final status."""
    parent = parent_track(title="The Parent Reel")
    first = launch(parent, [{"tempo_bpm": 150}, {"tempo_bpm": 160}])
    second = launch(parent, [{"temperature": 1.4}, {"temperature": 0.6}])
    ready, rejected = first.tracks.order_by("position")
    failed, also_ready = second.tracks.order_by("position")
    finish = {
        "Ready Remix": (ready, Track.Status.READY),
        "Rejected Remix": (rejected, Track.Status.REJECTED),
        "Failed Remix": (failed, Track.Status.FAILED),
        "Second Ready Remix": (also_ready, Track.Status.READY),
    }
    for title, (track, status) in finish.items():
        Track.objects.filter(pk=track.pk).update(title=title, status=status, duration_s=100.0)
    return parent, {title: Track.objects.get(pk=t.pk) for title, (t, _) in finish.items()}


def test_track_remixes_lists_every_batch_with_its_tracks_in_two_queries(
    queued, django_assert_num_queries
):
    parent, _ = remix_family(queued)
    with django_assert_num_queries(2):
        batches = selectors.track_remixes(track_id=parent.pk)
        titles = [[t.title for t in batch.tracks.all()] for batch in batches]
    assert titles == [["Failed Remix", "Second Ready Remix"], ["Ready Remix", "Rejected Remix"]]


def test_published_remix_links_show_ready_tracks_only_in_one_query(
    queued, django_assert_num_queries
):
    parent, family = remix_family(queued)
    parent = Track.objects.select_related("batch").get(pk=parent.pk)
    with django_assert_num_queries(1):
        links = selectors.track_remix_links_published(track=parent)
    assert links.parent is None
    assert [t.title for t in links.remixes] == ["Second Ready Remix", "Ready Remix"]
    child = Track.objects.select_related("batch").get(pk=family["Ready Remix"].pk)
    with django_assert_num_queries(1):
        assert selectors.track_remix_links_published(track=child).parent == parent


def test_the_public_track_page_shows_ready_remixes_and_the_parent(queued, client: Client):
    parent, family = remix_family(queued)
    html = client.get(f"/tracks/{parent.pk}/").content.decode()
    assert "Remixes" in html
    assert f'href="/tracks/{family["Ready Remix"].pk}/"' in html
    assert "Second Ready Remix" in html
    assert "Rejected Remix" not in html and "Failed Remix" not in html
    child = client.get(f"/tracks/{family['Ready Remix'].pk}/").content.decode()
    assert "Remix of" in child and f'href="/tracks/{parent.pk}/"' in child


def test_a_remix_of_a_rejected_track_does_not_name_its_parent(queued, client: Client):
    parent = parent_track(status=Track.Status.REJECTED, title="Secret Rejected Reel")
    child = launch(parent, [{"tempo_bpm": 150}]).tracks.get()
    Track.objects.filter(pk=child.pk).update(status=Track.Status.READY, duration_s=100.0)
    html = client.get(f"/tracks/{child.pk}/").content.decode()
    assert "Remix of" not in html and "Secret Rejected Reel" not in html


def test_a_plain_track_page_has_no_remix_lines_and_one_more_query_at_most(
    client: Client, django_assert_max_num_queries
):
    track = parent_track()
    with django_assert_max_num_queries(4):
        html = client.get(f"/tracks/{track.pk}/").content.decode()
    assert "Remix of" not in html and "<h3>Remixes</h3>" not in html


def test_the_producer_partial_lists_every_remix_and_links_ready_ones(queued):
    parent, family = remix_family(queued)
    html = render_to_string("producer/_remix.html", {"track": parent})
    assert f'data-remix-url="/api/v1/tracks/{parent.pk}/remix/"' in html
    assert "data-remix-form" in html and 'aria-live="polite"' in html
    for name in INSTRUMENTATIONS:
        assert f'<option value="{name}">' in html
    for title in family:
        assert title in html  # producers see every status
    assert f'href="/tracks/{family["Ready Remix"].pk}/"' in html
    assert f'href="/tracks/{family["Failed Remix"].pk}/"' not in html
    assert "(failed)" in html and "(rejected)" in html
    # static/js/app.js loads the form's script on every page, once: the partial adds no second copy.
    assert "js/remix.js" not in html


def test_the_producer_partial_starts_the_key_fields_at_the_parents_key(queued):
    parent, _ = remix_family(queued)
    parent.key = "Bb minor"
    html = render_to_string("producer/_remix.html", {"track": parent})
    assert '<option value="Bb" selected>' in html
    assert '<option value="minor" selected>' in html
    assert html.count(" selected>") == 2


def test_the_producer_partial_offers_no_form_for_an_unfinished_track():
    html = render_to_string("producer/_remix.html", {"track": TrackFactory.create()})
    assert "data-remix-form" not in html and "No remixes yet." in html
