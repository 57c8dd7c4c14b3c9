"""The album API through HTTP: published albums for everyone, the working side for producers."""

import itertools
import json

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis.checks import positive_data_acceptance

from curation.albums import services
from curation.albums.models import Album, AlbumVersion
from curation.models import TrackStats
from curation.ranking.verdict import EMPTY_CROWD_SCORE
from generation.models import Track
from tests.factories import ProducerFactory, ReadyTrackFactory, TrackFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET_NOTE = "only-for-producers-7f3a"
PRIVATE_KEYS = ("pick", "shortlisted", "vetoed", "notes", "tags", "workspace", "seed", "params")


def api(user: User | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def published(producer: User, title: str, tracks: list[Track]) -> Album:
    album = services.album_create(user=producer, title=title, description=f"About {title}")
    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[t.pk for t in tracks])
    services.album_finalize(album_id=album.pk, user=producer)
    album.refresh_from_db()
    return album


def keys_anywhere(data: object) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {k for value in data.values() for k in keys_anywhere(value)}
    if isinstance(data, list):
        return {k for value in data for k in keys_anywhere(value)}
    return set()


@pytest.fixture
def producer() -> User:
    return ProducerFactory.create()


@pytest.fixture
def listener() -> User:
    return UserFactory.create()


def test_published_albums_are_listed_newest_release_first_with_their_tracklists(producer):
    a, b, c = ReadyTrackFactory.create_batch(3)
    TrackStats.objects.create(track=a, rating_count=2, rating_sum=9, stars_4=1, stars_5=1)
    services.pick_update(track_id=a.pk, user=producer, shortlisted=True, notes=SECRET_NOTE)
    services.pick_update(track_id=b.pk, user=producer, vetoed=True, tags=["harsh"])
    older = published(producer, "Older", [b])
    newer = published(producer, "Newer", [a, c])
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
    published(producer, "One", ReadyTrackFactory.create_batch(1))
    with django_assert_num_queries(1):
        assert len(api().get("/api/v1/albums/").json()["results"]) == 1

    for n in range(3):
        published(producer, f"More {n}", ReadyTrackFactory.create_batch(5))
    with django_assert_num_queries(1):
        results = api().get("/api/v1/albums/").json()["results"]
    assert len(results) == 4
    assert sum(album["track_count"] for album in results) == 16


def test_the_album_list_pages_with_a_cursor(producer):
    albums = [published(producer, f"Album {n}", [ReadyTrackFactory.create()]) for n in range(3)]
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
    album = published(producer, "First cut", [a])
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
    album = published(producer, "Working title", [track])
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


def test_unknown_albums_are_404_in_the_error_shape(producer):
    client = api(producer)
    for method, path, body in PRODUCER_CALLS[1:]:
        response = getattr(client, method)(path.format(id=424242), body, format="json")
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found", path


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


ALBUM_OPERATIONS = {
    "GET /api/v1/albums/",
    "POST /api/v1/albums/",
    "GET /api/v1/albums/{album_id}/",
    "PATCH /api/v1/albums/{album_id}/",
    "GET /api/v1/albums/{album_id}/workspace/",
    "PUT /api/v1/albums/{album_id}/tracks/",
    "GET /api/v1/albums/{album_id}/suggestions/",
    "POST /api/v1/albums/{album_id}/finalize/",
    "GET /api/v1/albums/{album_id}/versions/{number}/",
    "GET /api/v1/picks/",
    "PUT /api/v1/tracks/{track_id}/pick/",
    "PATCH /api/v1/tracks/{track_id}/pick/",
}


@pytest.fixture
def keep_the_test_connection():
    """As in tests/test_openapi.py: calls go straight to the WSGI app, whose request signals
    would otherwise close the connection holding the test's transaction."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def test_producer_operations_keep_to_the_schema(keep_the_test_connection):
    """tests/test_openapi.py calls every operation anonymously (producers' ones answer 403);
    here a producer's token calls them with generated input, on a real album and track."""
    from albumvote.wsgi import application

    producer = ProducerFactory.create()
    token = Token.objects.create(user=producer).key
    tracks = ReadyTrackFactory.create_batch(3)
    TrackStats.objects.create(track=tracks[0], rating_count=1, rating_sum=4, stars_4=1)
    services.pick_update(track_id=tracks[0].pk, user=producer, shortlisted=True, tags=["a"])
    album = published(producer, "Schema", tracks[:2])
    real = {"album_id": album.pk, "track_id": tracks[1].pk, "number": 1}
    statuses: dict[str, set[int]] = {}
    calls = itertools.count()

    api_schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    checked = set()
    for found in api_schema.get_all_operations():
        operation = found.ok()  # type: ignore[union-attr]
        name = f"{operation.method.upper()} {operation.path}"
        if name not in ALBUM_OPERATIONS:
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case: schemathesis.Case) -> None:
            # Half the calls on the real album and track, half on whatever ids were generated.
            if case.path_parameters and next(calls) % 2 == 0:
                for key in case.path_parameters.keys() & real.keys():
                    case.path_parameters[key] = real[key]
            if case.operation.path.endswith("/finalize/") and (
                case.path_parameters.get("album_id") == album.pk
            ):
                # An album the same as its latest version is refused (409 unchanged): give
                # the real album tracks and something new to publish before each call.
                services.album_tracklist_set(
                    album_id=album.pk, user=producer, track_ids=[t.pk for t in tracks[:2]]
                )
                services.album_update(
                    album_id=album.pk, user=producer, description=f"Take {next(calls)}"
                )
            # Our token, not a generated session cookie: schemathesis then also checks that the
            # operation refuses the same call without it, or with a made-up one.
            case.cookies = {}
            response = case.call_and_validate(
                headers={"Authorization": f"Token {token}"},
                excluded_checks=[positive_data_acceptance],
            )
            statuses.setdefault(case.operation.label, set()).add(response.status_code)

        check()
        checked.add(name)
    assert checked == ALBUM_OPERATIONS == set(statuses)
    # Not only refusals: every operation also succeeded at least once.
    assert all(any(200 <= code < 300 for code in codes) for codes in statuses.values()), statuses
