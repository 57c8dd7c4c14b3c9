"""The album API through HTTP: published albums for everyone, the working side for producers."""

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from curation.albums import services
from curation.albums.models import Album, AlbumVersion
from curation.models import TrackStats
from curation.ranking.verdict import EMPTY_CROWD_SCORE
from tests.curation.albums.helpers import logged_in as api
from tests.curation.albums.helpers import published_album
from tests.factories import ProducerFactory, ReadyTrackFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET_NOTE = "only-for-producers-7f3a"
PRIVATE_KEYS = ("pick", "shortlisted", "vetoed", "notes", "tags", "workspace", "seed", "params")


def keys_anywhere(data: object) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {k for value in data.values() for k in keys_anywhere(value)}
    if isinstance(data, list):
        return {k for value in data for k in keys_anywhere(value)}
    return set()


@pytest.fixture
def listener() -> User:
    return UserFactory.create()


def test_published_albums_are_listed_newest_release_first_with_their_tracklists(producer):
    a, b, c = ReadyTrackFactory.create_batch(3)
    TrackStats.objects.create(track=a, rating_count=2, rating_sum=9, stars_4=1, stars_5=1)
    services.pick_update(track_id=a.pk, user=producer, shortlisted=True, notes=SECRET_NOTE)
    services.pick_update(track_id=b.pk, user=producer, vetoed=True, tags=["harsh"])
    older = published_album(producer, "Older", [b])
    newer = published_album(producer, "Newer", [a, c])
    services.album_create(user=producer, title="Unreleased draft")

    response = api().get("/api/v1/albums/")

    assert response.status_code == 200
    body = response.json()
    assert [album["id"] for album in body["results"]] == [newer.pk, older.pk]
    first = body["results"][0]
    assert first["title"] == "Newer"
    assert first["version"] == 1
    assert first["track_count"] == 2
    assert first["total_s"] == 240.0
    assert first["url"] == f"/albums/{newer.pk}/"
    assert [row["id"] for row in first["tracklist"]] == [a.pk, c.pk]
    assert first["tracklist"][0]["position"] == 1
    assert first["tracklist"][0]["audio_url"] == reverse("curation:track-audio", args=[a.pk, "mp3"])
    assert first["tracklist"][0]["crowd"]["rating_count"] == 2
    assert first["tracklist"][0]["crowd"]["mean"] == 4.5
    # Producer-only data never reaches listeners, by key or by value.
    assert not keys_anywhere(body) & set(PRIVATE_KEYS)
    assert SECRET_NOTE not in response.content.decode()
    assert "Unreleased draft" not in response.content.decode()


def test_the_album_list_costs_one_query_however_many_albums_and_tracks(
    producer, django_assert_num_queries
):
    published_album(producer, "One", ReadyTrackFactory.create_batch(1))
    with django_assert_num_queries(1):
        assert len(api().get("/api/v1/albums/").json()["results"]) == 1

    for n in range(3):
        published_album(producer, f"More {n}", ReadyTrackFactory.create_batch(5))
    with django_assert_num_queries(1):
        results = api().get("/api/v1/albums/").json()["results"]
    assert len(results) == 4
    assert sum(album["track_count"] for album in results) == 16


def test_the_album_list_pages_with_a_cursor(producer):
    albums = [
        published_album(producer, f"Album {n}", [ReadyTrackFactory.create()]) for n in range(3)
    ]
    client = api()
    first = client.get("/api/v1/albums/?page_size=2").json()
    assert [a["id"] for a in first["results"]] == [albums[2].pk, albums[1].pk]
    second = client.get(first["next"]).json()
    assert [a["id"] for a in second["results"]] == [albums[0].pk]
    assert second["next"] is None

    bad = client.get("/api/v1/albums/?cursor=not-a-cursor")
    assert bad.status_code == 404
    assert bad.json()["error"]["code"] == "not_found"


def test_an_unpublished_album_is_not_found_except_by_producers(producer, listener):
    album = services.album_create(user=producer, title="Secret project")
    services.album_tracklist_set(
        album_id=album.pk, user=producer, track_ids=[ReadyTrackFactory.create().pk]
    )
    url = f"/api/v1/albums/{album.pk}/"

    for client in (api(), api(listener)):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        assert "Secret project" not in response.content.decode()

    body = api(producer).get(url).json()
    assert body["version"] is None
    assert body["tracklist"] == []
    assert body["workspace"]["title"] == "Secret project"
    assert len(body["workspace"]["tracks"]) == 1
    assert api().get("/api/v1/albums/999999/").status_code == 404


def test_listeners_see_the_published_version_not_later_edits(producer, listener):
    a, b = ReadyTrackFactory.create_batch(2)
    services.pick_update(track_id=a.pk, user=producer, shortlisted=True, notes=SECRET_NOTE)
    album = published_album(producer, "First cut", [a])
    services.album_update(album_id=album.pk, user=producer, title="Second cut")
    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[a.pk, b.pk])
    url = f"/api/v1/albums/{album.pk}/"

    response = api(listener).get(url)
    body = response.json()
    assert body["title"] == "First cut"
    assert [row["id"] for row in body["tracklist"]] == [a.pk]
    assert not keys_anywhere(body) & set(PRIVATE_KEYS)
    assert SECRET_NOTE not in response.content.decode()

    mine = api(producer).get(url).json()
    assert mine["title"] == "First cut"
    assert mine["workspace"]["title"] == "Second cut"
    assert [t["id"] for t in mine["workspace"]["tracks"]] == [a.pk, b.pk]
    assert mine["workspace"]["tracks"][0]["pick"]["shortlisted"] is True


def test_a_producer_builds_finalizes_and_publishes_an_album(producer):
    client = api(producer)
    a, b, c = ReadyTrackFactory.create_batch(3)
    created = client.post(
        "/api/v1/albums/",
        {"title": " Night Drive ", "target_count": 3, "target_length_s": 600},
        format="json",
    )
    assert created.status_code == 201
    album_id = created.json()["id"]
    assert created.json()["title"] == "Night Drive"
    assert created.json()["published_version"] is None

    patched = client.patch(
        f"/api/v1/albums/{album_id}/",
        {"description": "Late", "crowd_weight": 0.25, "pinned_first": c.pk},
        format="json",
    )
    assert patched.status_code == 200
    assert (patched.json()["crowd_weight"], patched.json()["pinned_first"]) == (0.25, c.pk)

    tracks = client.put(
        f"/api/v1/albums/{album_id}/tracks/", {"tracks": [c.pk, a.pk]}, format="json"
    )
    assert tracks.status_code == 200
    workspace = tracks.json()
    assert [t["id"] for t in workspace["tracks"]] == [c.pk, a.pk]
    assert workspace["totals"]["count"] == 2
    assert workspace["totals"]["length_s"] == 240.0
    assert [(t["from"], t["to"]) for t in workspace["transitions"]] == [(c.pk, a.pk)]
    assert workspace["tracks"][0]["pick"] == {"shortlisted": False, "vetoed": False, "tags": []}

    suggestions = client.get(f"/api/v1/albums/{album_id}/suggestions/?weight=0.5&count=2")
    assert suggestions.status_code == 200
    suggested = suggestions.json()
    assert (suggested["weight"], suggested["count"]) == (0.5, 2)
    assert len(suggested["order"]) == 2
    assert suggested["order"][0] == c.pk  # pinned first
    assert {cand["id"] for cand in suggested["candidates"]} == {a.pk, b.pk, c.pk}

    finalized = client.post(f"/api/v1/albums/{album_id}/finalize/")
    assert finalized.status_code == 201
    version = finalized.json()
    assert version["number"] == 1
    assert [row["track_id"] for row in version["tracklist"]] == [c.pk, a.pk]
    assert version["finalized_by"] == producer.username

    snapshot = client.get(f"/api/v1/albums/{album_id}/versions/1/")
    assert snapshot.status_code == 200
    assert snapshot.json() == version
    assert client.get(f"/api/v1/albums/{album_id}/versions/2/").status_code == 404
    assert client.get(f"/api/v1/albums/{album_id}/versions/99999999999/").status_code == 404

    workspace = client.get(f"/api/v1/albums/{album_id}/workspace/").json()
    assert workspace["published_version"] == 1
    assert workspace["versions"][0]["track_count"] == 2
    assert workspace["versions"][0]["finalized_by"] == producer.username
    public = api().get(f"/api/v1/albums/{album_id}/").json()
    assert (public["version"], public["title"]) == (1, "Night Drive")


PRODUCER_CALLS: list[tuple[str, str, dict[str, object] | None]] = [
    ("post", "/api/v1/albums/", {"title": "Mine now"}),
    ("patch", "/api/v1/albums/{id}/", {"title": "Mine now"}),
    ("get", "/api/v1/albums/{id}/workspace/", None),
    ("put", "/api/v1/albums/{id}/tracks/", {"tracks": []}),
    ("get", "/api/v1/albums/{id}/suggestions/", None),
    ("post", "/api/v1/albums/{id}/finalize/", None),
    ("get", "/api/v1/albums/{id}/versions/1/", None),
]


@pytest.mark.parametrize(("method", "path", "body"), PRODUCER_CALLS)
@pytest.mark.parametrize("who", ["anonymous", "listener"])
def test_producer_endpoints_refuse_everyone_else_without_leaking(
    producer, listener, method, path, body, who
):
    track = ReadyTrackFactory.create()
    services.pick_update(track_id=track.pk, user=producer, notes=SECRET_NOTE)
    album = published_album(producer, "Working title", [track])
    client = api(listener if who == "listener" else None)

    response = getattr(client, method)(path.format(id=album.pk), body, format="json")

    # RFC 9110: 401 (with a challenge) for no credentials, 403 for a listener's.
    assert response.status_code == (403 if who == "listener" else 401)
    error = response.json()["error"]
    assert error["code"] == ("permission_denied" if who == "listener" else "not_authenticated")
    assert error["message"]
    assert SECRET_NOTE not in response.content.decode()
    assert "Working title" not in response.content.decode()
    album.refresh_from_db()
    assert album.title == "Working title"
    assert Album.objects.count() == 1
    assert AlbumVersion.objects.count() == 1
    assert list(album.entries.values_list("track_id", flat=True)) == [track.pk]


def test_a_track_shows_one_crowd_score_in_the_tracklist_and_the_candidates(producer):
    """One figure for one meaning: a track nobody has rated yet (with or without a stats row)
    shows the same crowd score as a candidate and once placed on the album."""
    client = api(producer)
    rated = ReadyTrackFactory.create()
    TrackStats.objects.create(track=rated, rating_count=1, rating_sum=3, stars_3=1)
    no_row = ReadyTrackFactory.create()
    empty_row = ReadyTrackFactory.create()
    TrackStats.objects.create(track=empty_row)
    album = services.album_create(user=producer, title="One figure")
    ids = [rated.pk, no_row.pk, empty_row.pk]
    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=ids)

    placed = {
        t["id"]: t["crowd_score"]
        for t in client.get(f"/api/v1/albums/{album.pk}/workspace/").json()["tracks"]
    }
    suggested = client.get(f"/api/v1/albums/{album.pk}/suggestions/?weight=1").json()
    candidates = {c["id"]: c for c in suggested["candidates"]}
    for track_id in ids:
        assert candidates[track_id]["crowd"] == placed[track_id], track_id
    assert placed[no_row.pk] == placed[empty_row.pk] == EMPTY_CROWD_SCORE
    assert placed[rated.pk] > EMPTY_CROWD_SCORE
    assert suggested["candidates"][0]["id"] == rated.pk
    assert (candidates[rated.pk]["rated"], candidates[no_row.pk]["rated"]) == (True, False)


def test_downloads_are_off_until_a_producer_allows_them(producer):
    client = api(producer)
    album = services.album_create(user=producer, title="Take away")
    assert client.get(f"/api/v1/albums/{album.pk}/workspace/").json()["allow_download"] is False
    patched = client.patch(f"/api/v1/albums/{album.pk}/", {"allow_download": True}, format="json")
    assert patched.status_code == 200
    assert patched.json()["allow_download"] is True
    album.refresh_from_db()
    assert album.allow_download is True
    refused = client.patch(f"/api/v1/albums/{album.pk}/", {"allow_download": "yes"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["details"]["field"] == "allow_download"


def test_a_producer_token_creates_an_album_without_session_or_csrf():
    producer = ProducerFactory.create()
    token = Token.objects.create(user=producer).key
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Token {token}"})
    response = client.post(
        "/api/v1/albums/", json.dumps({"title": "By token"}), content_type="application/json"
    )
    assert response.status_code == 201
    assert Album.objects.get().created_by == producer


def test_session_writes_need_the_csrf_token(producer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(producer)
    body = json.dumps({"title": "Forged"})
    refused = client.post("/api/v1/albums/", body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
    assert not Album.objects.exists()

    client.get("/api/v1/albums/")  # any page would do: the token comes with a cookie
    token = client.get(reverse("curation:login")).cookies["csrftoken"].value
    allowed = client.post(
        "/api/v1/albums/", body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert allowed.status_code == 201


def test_unknown_albums_are_404_in_the_error_shape(producer):
    client = api(producer)
    for method, path, body in PRODUCER_CALLS[1:]:
        response = getattr(client, method)(path.format(id=424242), body, format="json")
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found", path
