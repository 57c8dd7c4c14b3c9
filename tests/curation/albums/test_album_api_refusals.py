"""The album API refuses bad input with a clear 4xx in the one error shape, naming the field,
and stores nothing: bodies, tracklists, suggestions' weights, unknown albums, empty or
unchanged finalizes."""

import pytest

from curation.albums import services
from curation.albums.models import Album, AlbumVersion
from generation.models import Track
from tests.curation.albums.helpers import logged_in as api
from tests.factories import ReadyTrackFactory, TrackFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "T", "colour": "red"}, "colour"),
        ({"title": 5}, "title"),
        ({"title": "T", "target_count": "5"}, "target_count"),
        ({"title": "T", "target_count": True}, "target_count"),
        ({"title": "T", "target_count": 0}, "target_count"),
        ({"title": "T", "target_length_s": 10}, "target_length_s"),
        ({"title": "T", "description": None}, "description"),
        ({"title": "T\x00"}, "title"),
        ({"title": "   "}, "title"),
        ({"description": "no title"}, "title"),
        ({"title": "T", "crowd_weight": 0.5}, "crowd_weight"),  # not settable on create
    ],
)
def test_creating_an_album_refuses_bad_input_naming_the_field(producer, body, field):
    response = api(producer).post("/api/v1/albums/", body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["details"]["field"] == field
    assert field in error["message"] or error["code"] == "invalid"
    assert Album.objects.count() == 0


@pytest.mark.parametrize("raw", ["[]", '"title"', "3", "{not json"])
def test_bodies_must_be_json_objects(producer, raw):
    response = api(producer).post("/api/v1/albums/", raw, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"code", "message", "details"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"crowd_weight": 1.5}, "crowd_weight"),
        ({"crowd_weight": "0.5"}, "crowd_weight"),
        ({"crowd_weight": True}, "crowd_weight"),
        ({"pinned_first": "3"}, "pinned_first"),
        ({"pinned_last": 10**30}, "pinned_last"),
        ({"published_version": 1}, "published_version"),
    ],
)
def test_updating_an_album_refuses_bad_input_naming_the_field(producer, body, field):
    album = services.album_create(user=producer, title="Kept")
    response = api(producer).patch(f"/api/v1/albums/{album.pk}/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == field
    album.refresh_from_db()
    assert (album.title, album.crowd_weight, album.pinned_last_id) == ("Kept", 0.6, None)


def test_pinning_a_vetoed_track_is_refused(producer):
    album = services.album_create(user=producer, title="Pins")
    vetoed = ReadyTrackFactory.create()
    services.pick_update(track_id=vetoed.pk, user=producer, vetoed=True)
    response = api(producer).patch(
        f"/api/v1/albums/{album.pk}/", {"pinned_first": vetoed.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == "pinned_first"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"tracks": "1,2"},
        {"tracks": [True]},
        {"tracks": ["1"]},
        {"tracks": [1.5]},
        {"tracks": [0]},
        {"tracks": [2**70]},
        {"tracks": [], "order": []},
    ],
)
def test_the_tracklist_refuses_anything_but_a_list_of_ids(producer, body):
    album = services.album_create(user=producer, title="Strict")
    response = api(producer).put(f"/api/v1/albums/{album.pk}/tracks/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] in ("tracks", "order")


def test_the_tracklist_takes_only_ready_tracks_once(producer):
    album = services.album_create(user=producer, title="Ready only")
    ready = ReadyTrackFactory.create()
    failed = TrackFactory.create(status=Track.Status.FAILED)
    client = api(producer)
    url = f"/api/v1/albums/{album.pk}/tracks/"

    response = client.put(url, {"tracks": [ready.pk, failed.pk]}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["not_ready"] == [failed.pk]
    response = client.put(url, {"tracks": [ready.pk, ready.pk]}, format="json")
    assert response.status_code == 400
    assert not album.entries.exists()
    response = client.put(url, {"tracks": [ready.pk]}, format="json")
    assert [t["id"] for t in response.json()["tracks"]] == [ready.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("weight=1.5", "weight"),
        ("weight=-0.1", "weight"),
        ("weight=abc", "weight"),
        ("weight=nan", "weight"),
        ("count=0", "count"),
        ("count=101", "count"),
        ("count=2.5", "count"),
    ],
)
def test_suggestions_refuse_a_bad_weight_or_count_naming_it(producer, query, field):
    album = services.album_create(user=producer, title="Suggest")
    response = api(producer).get(f"/api/v1/albums/{album.pk}/suggestions/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == field
    assert field in response.json()["error"]["message"]


def test_suggestions_leave_out_vetoed_tracks_and_use_the_albums_weight(producer):
    album = services.album_create(user=producer, title="Suggest", target_count=2)
    services.album_update(album_id=album.pk, user=producer, crowd_weight=0.0)
    picked, plain, vetoed = ReadyTrackFactory.create_batch(3)
    services.pick_update(track_id=picked.pk, user=producer, shortlisted=True)
    services.pick_update(track_id=vetoed.pk, user=producer, vetoed=True)

    body = api(producer).get(f"/api/v1/albums/{album.pk}/suggestions/").json()

    assert (body["weight"], body["count"]) == (0.0, 2)
    assert [c["id"] for c in body["candidates"]] == [picked.pk, plain.pk]
    assert body["candidates"][0]["score"] == 1.0
    assert sorted(body["order"]) == sorted([picked.pk, plain.pk])


def test_finalizing_an_empty_album_is_refused(producer):
    album = services.album_create(user=producer, title="Empty")
    response = api(producer).post(f"/api/v1/albums/{album.pk}/finalize/")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "empty_album"
    assert not AlbumVersion.objects.exists()


def test_finalizing_an_unchanged_album_is_a_409_in_the_error_shape(producer):
    client = api(producer)
    tracks = ReadyTrackFactory.create_batch(2)
    album = services.album_create(user=producer, title="Once")
    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[t.pk for t in tracks])
    assert client.get(f"/api/v1/albums/{album.pk}/workspace/").json()["matches_version"] is None
    assert client.post(f"/api/v1/albums/{album.pk}/finalize/").status_code == 201
    assert client.get(f"/api/v1/albums/{album.pk}/workspace/").json()["matches_version"] == 1

    again = client.post(f"/api/v1/albums/{album.pk}/finalize/")
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "unchanged"
    assert "version 1" in error["message"]
    assert error["details"] == {"version": 1}
    assert AlbumVersion.objects.count() == 1

    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    responses = schema["paths"]["/api/v1/albums/{album_id}/finalize/"]["post"]["responses"]
    assert responses["409"]["content"]["application/json"]["schema"]["$ref"] == (
        "#/components/schemas/Error"
    )
    assert "unchanged" in responses["409"]["description"]
