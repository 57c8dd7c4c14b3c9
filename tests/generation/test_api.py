"""The producer-only batch API: permissions, the JSON error shape, a launch."""

import pytest
from rest_framework.test import APIClient

from generation import composer
from generation.models import GenerationBatch
from tests.factories import ProducerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def assert_error_shape(body: dict, code: str | None = None) -> None:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code


@pytest.mark.parametrize("who", ["anonymous", "listener"])
def test_only_producers_can_launch_or_read_batches(who, queued):
    user = UserFactory.create() if who == "listener" else None
    client = client_for(user)
    refused = 403 if user is not None else 401  # no credentials: 401 with a challenge
    response = client.post("/api/v1/batches/", {"count": 2}, format="json")
    assert response.status_code == refused
    assert_error_shape(response.json())
    assert GenerationBatch.objects.count() == 0
    batch = GenerationBatch.objects.create(source="command", count=1)
    assert client.get(f"/api/v1/batches/{batch.pk}/").status_code == refused


def test_a_producer_launches_a_batch_and_follows_it(queued):
    client = client_for(ProducerFactory.create())
    preset = sorted(composer.PRESETS)[0]
    response = client.post(
        "/api/v1/batches/", {"count": 2, "preset": preset, "seed": 4}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["count"] == 2
    assert body["source"] == "api"
    assert body["counts"]["queued"] == 2
    assert len(queued) == 2
    detail = client.get(f"/api/v1/batches/{body['id']}/").json()
    assert detail["params"]["preset"] == preset
    assert detail["params"]["seed"] == 4


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        ({"count": 0}, "count must be between"),
        ({"count": 2, "preset": "nope"}, "nope"),
        ({"count": 2, "seed": -5}, "seed must be"),
        ({}, "count must be a whole number"),
        ([1, 2], "JSON object"),
    ],
)
def test_bad_launches_get_a_400_in_the_one_error_shape(payload, needle, queued):
    client = client_for(ProducerFactory.create())
    response = client.post("/api/v1/batches/", payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert_error_shape(body)
    assert needle in body["error"]["message"]
    assert GenerationBatch.objects.count() == 0


def test_malformed_json_and_form_posts_are_4xx_not_500(queued):
    client = client_for(ProducerFactory.create())
    bad_json = client.post("/api/v1/batches/", "{nope", content_type="application/json")
    assert bad_json.status_code == 400
    assert_error_shape(bad_json.json(), "parse_error")
    form = client.post("/api/v1/batches/", {"count": "2"})
    assert form.status_code == 415
    assert_error_shape(form.json())


def test_unknown_batch_is_a_404_in_the_error_shape():
    response = client_for(ProducerFactory.create()).get("/api/v1/batches/424242/")
    assert response.status_code == 404
    assert_error_shape(response.json(), "not_found")
