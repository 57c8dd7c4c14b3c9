"""GET /api/v1/tracks/ (filters, search, status for producers), /api/v1/tracks/<id>/ and the
public GET /api/v1/batches/."""

import pytest
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from albumvote.permissions import PRODUCERS_GROUP
from curation.models import TrackStats
from generation.models import Track
from tests.factories import GenerationBatchFactory, ReadyTrackFactory, TrackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def producer_client():
    user = User.objects.create_user("prod", password="pw")
    user.groups.add(Group.objects.get_or_create(name=PRODUCERS_GROUP)[0])
    api = APIClient()
    api.force_authenticate(user)
    return api


def ids(response):
    assert response.status_code == 200, response.json()
    return [track["id"] for track in response.json()["results"]]


@pytest.fixture
def catalogue():
    batch = GenerationBatchFactory.create()
    reel = ReadyTrackFactory.create(
        batch=batch, title="Morning Reel", preset="celtic_reel", key="D major", tempo_bpm=120
    )
    jig = ReadyTrackFactory.create(
        title="Evening Jig", preset="irish_jig", key="A minor", camelot="8A", tempo_bpm=95
    )
    waltz = ReadyTrackFactory.create(
        title="Slow Waltz", preset="waltz", key="G major", tempo_bpm=70
    )
    hidden = TrackFactory.create(title="Rejected Reel", status=Track.Status.REJECTED)
    TrackStats.objects.create(track=reel, rating_count=2, rating_sum=9, stars_4=1, stars_5=1)
    return batch, reel, jig, waltz, hidden


def test_lists_published_tracks_newest_first_with_figures(client, catalogue):
    _, reel, jig, waltz, _ = catalogue
    response = client.get("/api/v1/tracks/")
    assert ids(response) == [waltz.pk, jig.pk, reel.pk]
    entry = response.json()["results"][2]
    assert entry["ratings"]["count"] == 2 and entry["ratings"]["mean"] == 4.5
    assert entry["audio"]["mp3"] == f"/tracks/{reel.pk}/audio.mp3"
    assert {"crowd_score", "listening", "trending", "controversy"} <= set(entry)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"preset": "irish_jig"}, ["jig"]),
        ({"key": "8a"}, ["jig"]),
        ({"key": "d MAJOR"}, ["reel"]),
        ({"tempo_min": "90", "tempo_max": "130"}, ["jig", "reel"]),
        ({"tempo_max": "80"}, ["waltz"]),
        ({"search": "reel"}, ["reel"]),
        ({"search": "e", "tempo_min": "100"}, ["reel"]),
    ],
)
def test_filters_and_search_combine(client, catalogue, params, expected):
    _, reel, jig, waltz, _ = catalogue
    named = {"reel": reel.pk, "jig": jig.pk, "waltz": waltz.pk}
    assert ids(client.get("/api/v1/tracks/", params)) == [named[n] for n in expected]


def test_batch_filter(client, catalogue):
    batch, reel, *_ = catalogue
    assert ids(client.get("/api/v1/tracks/", {"batch": batch.pk})) == [reel.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"preset": "polka"}, "preset"),
        ({"tempo_min": "fast"}, "tempo_min"),
        ({"tempo_min": "120", "tempo_max": "100"}, "tempo_min"),
        ({"batch": "-1"}, "batch"),
        ({"status": "sideways"}, "status"),
    ],
)
def test_bad_filters_get_a_400_naming_the_field(client, params, field):
    response = client.get("/api/v1/tracks/", params)
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == field


def test_only_producers_list_unpublished_tracks(client, producer_client, catalogue):
    *_, hidden = catalogue
    refused = client.get("/api/v1/tracks/", {"status": "rejected"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert ids(producer_client.get("/api/v1/tracks/", {"status": "rejected"})) == [hidden.pk]


def test_detail_has_the_aggregates_and_hides_unpublished_tracks(client, producer_client, catalogue):
    _, reel, *_, hidden = catalogue
    detail = client.get(f"/api/v1/tracks/{reel.pk}/").json()
    assert detail["title"] == "Morning Reel"
    assert detail["ratings"]["distribution"] == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}
    assert detail["ratings"]["lower_bound"] > 0
    missing = client.get(f"/api/v1/tracks/{hidden.pk}/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/tracks/999999/").status_code == 404
    assert producer_client.get(f"/api/v1/tracks/{hidden.pk}/").status_code == 200


def test_pages_by_cursor(client, catalogue):
    first = client.get("/api/v1/tracks/", {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1
    assert second["next"] is None


def test_track_list_query_count_does_not_grow(client, catalogue, django_assert_num_queries):
    with django_assert_num_queries(2):  # the page (with figures), the site-wide mean
        client.get("/api/v1/tracks/", {"page_size": 100})
    ReadyTrackFactory.create_batch(10)
    from curation.ranking import verdict

    verdict._prior = None
    with django_assert_num_queries(2):
        client.get("/api/v1/tracks/", {"page_size": 100})


def test_batches_are_public_to_read_and_producer_only_to_launch(client, catalogue):
    batch, *_ = catalogue
    listed = client.get("/api/v1/batches/")
    assert listed.status_code == 200
    rows = listed.json()["results"]
    assert {row["id"] for row in rows} >= {batch.pk}
    assert next(row for row in rows if row["id"] == batch.pk)["tracks"] == 1
    assert client.post("/api/v1/batches/", {"count": 1}, format="json").status_code == 401


def test_batch_list_query_count_does_not_grow(client, catalogue, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get("/api/v1/batches/")
    ReadyTrackFactory.create_batch(5)
    with django_assert_num_queries(1):
        client.get("/api/v1/batches/")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tracks/99999999999999999999999/",
        "/api/v1/tracks/99999999999999999999999/rating/",
        "/api/v1/batches/-1/",
        "/api/v1/nothing-here/",
    ],
)
def test_unknown_api_addresses_are_json_404s(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_page_ids_beyond_bigint_are_404_pages_not_500s(client):
    from django.test import Client

    response = Client().get("/tracks/99999999999999999999999/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
