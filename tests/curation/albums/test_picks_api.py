"""The producers' picks through HTTP: set them on a track, list and filter them; nobody else
sees or changes them."""

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import resolve, reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from curation.albums import apis, services
from curation.albums.models import TrackPick
from generation.models import Track
from tests.factories import ProducerFactory, ReadyTrackFactory, TrackFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET_NOTE = "too-close-to-track-12-xq9"


def api(user: User | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def producer() -> User:
    return ProducerFactory.create()


def test_the_pick_route_resolves_beside_the_track_routes():
    match = resolve("/api/v1/tracks/12/pick/")
    assert match.url_name == "api-track-pick"
    assert match.func.view_class is apis.TrackPickApi  # type: ignore[attr-defined]
    assert match.kwargs == {"track_id": 12}
    assert reverse("api-track-pick", args=[12]) == "/api/v1/tracks/12/pick/"
    assert resolve("/api/v1/tracks/12/").url_name == "api-track"
    assert resolve("/api/v1/tracks/12/rating/").url_name == "api-track-rating"


def test_a_producer_shortlists_notes_tags_and_vetoes_a_track(producer):
    track = ReadyTrackFactory.create(title="Harbour Lights")
    client = api(producer)
    url = f"/api/v1/tracks/{track.pk}/pick/"

    response = client.put(
        url, {"shortlisted": True, "notes": " opener? ", "tags": ["Opener", "calm"]}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["track_id"] == track.pk
    assert body["title"] == "Harbour Lights"
    assert (body["shortlisted"], body["vetoed"]) == (True, False)
    assert (body["notes"], body["tags"]) == ("opener?", ["opener", "calm"])
    assert body["updated_by"] == producer.username

    # A partial change keeps the rest; vetoing clears the shortlist.
    response = client.patch(url, {"vetoed": True}, format="json")
    body = response.json()
    assert (body["shortlisted"], body["vetoed"], body["notes"]) == (False, True, "opener?")
    pick = TrackPick.objects.get(track=track)
    assert (pick.shortlisted, pick.vetoed, pick.tags) == (False, True, ["opener", "calm"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"shortlisted": "yes"}, "shortlisted"),
        ({"vetoed": 1}, "vetoed"),
        ({"notes": 5}, "notes"),
        ({"notes": None}, "notes"),
        ({"notes": "x" * 10_001}, "notes"),
        ({"tags": "calm"}, "tags"),
        ({"tags": ["<script>"]}, "tags"),
        ({"tags": [1]}, "tags"),
        ({"rating": 5}, "rating"),
    ],
)
def test_bad_pick_input_is_refused_naming_the_field(producer, body, field):
    track = ReadyTrackFactory.create()
    response = api(producer).patch(f"/api/v1/tracks/{track.pk}/pick/", body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["details"]["field"] == field
    assert field in error["message"] or field == "tags"
    assert not TrackPick.objects.exists()


def test_shortlisting_and_vetoing_at_once_or_a_non_object_is_refused(producer):
    track = ReadyTrackFactory.create()
    client = api(producer)
    url = f"/api/v1/tracks/{track.pk}/pick/"
    both = client.put(url, {"shortlisted": True, "vetoed": True}, format="json")
    assert both.status_code == 400
    listed = client.put(url, [{"shortlisted": True}], format="json")
    assert listed.status_code == 400
    assert set(listed.json()["error"]) == {"code", "message", "details"}
    assert not TrackPick.objects.exists()


def test_a_pick_on_an_unknown_track_is_404(producer):
    response = api(producer).put("/api/v1/tracks/999999/pick/", {"vetoed": True}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_picks_are_listed_last_changed_first_and_filtered(producer):
    opener, closer, vetoed, noted = ReadyTrackFactory.create_batch(4)
    failed = TrackFactory.create(status=Track.Status.FAILED)
    services.pick_update(track_id=opener.pk, user=producer, shortlisted=True, tags=["opener"])
    services.pick_update(track_id=closer.pk, user=producer, shortlisted=True, tags=["closer"])
    services.pick_update(track_id=vetoed.pk, user=producer, vetoed=True, tags=["opener"])
    services.pick_update(track_id=noted.pk, user=producer, notes=SECRET_NOTE)
    services.pick_update(track_id=failed.pk, user=producer, vetoed=True)
    client = api(producer)

    def ids(query: str = "") -> list[int]:
        response = client.get(f"/api/v1/picks/{query}")
        assert response.status_code == 200, response.content
        return [pick["track_id"] for pick in response.json()["results"]]

    assert ids() == [failed.pk, noted.pk, vetoed.pk, closer.pk, opener.pk]
    assert ids("?shortlisted=true") == [closer.pk, opener.pk]
    assert ids("?shortlisted=false") == [failed.pk, noted.pk, vetoed.pk]
    assert ids("?vetoed=true") == [failed.pk, vetoed.pk]
    assert ids("?tag=opener") == [vetoed.pk, opener.pk]
    assert ids("?tag=Opener&shortlisted=true") == [opener.pk]
    assert ids("?tag=nothing") == []

    page = client.get("/api/v1/picks/?page_size=2").json()
    assert [p["track_id"] for p in page["results"]] == [failed.pk, noted.pk]
    rest = client.get(page["next"]).json()
    assert [p["track_id"] for p in rest["results"]] == [vetoed.pk, closer.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [("shortlisted=yes", "shortlisted"), ("vetoed=1", "vetoed"), ("tag=", "tag")],
)
def test_bad_pick_filters_are_refused_naming_them(producer, query, field):
    response = api(producer).get(f"/api/v1/picks/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == field


def test_the_pick_list_query_count_does_not_grow_with_picks(producer, django_assert_num_queries):
    client = api(producer)
    other = ProducerFactory.create()
    tracks = ReadyTrackFactory.create_batch(6)
    services.pick_update(track_id=tracks[0].pk, user=producer, shortlisted=True)
    # session, user, producer check, the page
    with django_assert_num_queries(4):
        assert len(client.get("/api/v1/picks/").json()["results"]) == 1
    for i, track in enumerate(tracks[1:]):
        services.pick_update(track_id=track.pk, user=other if i % 2 else producer, tags=["x"])
    with django_assert_num_queries(4):
        results = client.get("/api/v1/picks/").json()["results"]
    assert len(results) == 6
    assert {p["updated_by"] for p in results} == {producer.username, other.username}


@pytest.mark.parametrize("who", ["anonymous", "listener"])
def test_nobody_but_producers_sees_or_changes_picks(producer, who):
    track = ReadyTrackFactory.create()
    services.pick_update(track_id=track.pk, user=producer, shortlisted=True, notes=SECRET_NOTE)
    client = api(UserFactory.create() if who == "listener" else None)
    expected = "permission_denied" if who == "listener" else "not_authenticated"

    listed = client.get("/api/v1/picks/")
    changed = client.patch(f"/api/v1/tracks/{track.pk}/pick/", {"vetoed": True}, format="json")
    replaced = client.put(f"/api/v1/tracks/{track.pk}/pick/", {"notes": ""}, format="json")

    for response in (listed, changed, replaced):
        # RFC 9110: 401 (with a challenge) for no credentials, 403 for a listener's.
        assert response.status_code == (403 if who == "listener" else 401)
        assert response.json()["error"]["code"] == expected
        assert SECRET_NOTE not in response.content.decode()
    pick = TrackPick.objects.get()
    assert (pick.shortlisted, pick.vetoed, pick.notes) == (True, False, SECRET_NOTE)
    # The public track API does not carry picks either.
    detail = client.get(f"/api/v1/tracks/{track.pk}/")
    assert detail.status_code == 200
    assert SECRET_NOTE not in detail.content.decode()
    assert "shortlisted" not in detail.content.decode()


def test_a_producer_token_sets_a_pick_without_session_or_csrf():
    producer = ProducerFactory.create()
    track = ReadyTrackFactory.create()
    token = Token.objects.create(user=producer).key
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Token {token}"})
    response = client.put(
        f"/api/v1/tracks/{track.pk}/pick/",
        json.dumps({"shortlisted": True}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert TrackPick.objects.get(track=track).updated_by == producer


def test_producers_are_rate_limited_in_the_error_shape(settings, redis_url, producer):
    settings.API_RATE_LIMIT = (2, 60)
    track = ReadyTrackFactory.create()
    client = api(producer)
    assert client.get("/api/v1/picks/").status_code == 200
    assert client.get("/api/v1/albums/").status_code == 200
    refused = client.put(f"/api/v1/tracks/{track.pk}/pick/", {"vetoed": True}, format="json")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0
    assert not TrackPick.objects.exists()
