"""The API's general rate limit: per client per minute, in the one error shape with
Retry-After, and open when Redis is away."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight_limit(settings, redis_url):
    settings.API_RATE_LIMIT = (3, 60)


def test_past_the_limit_reads_get_a_429_with_retry_after(tight_limit):
    client = Client()
    for _ in range(3):
        assert client.get("/api/v1/rankings/").status_code == 200
    refused = client.get("/api/v1/tracks/")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 60
    # Another address has its own allowance.
    assert Client(REMOTE_ADDR="10.0.0.9").get("/api/v1/tracks/").status_code == 200


def test_without_redis_the_api_stays_open(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    settings.API_RATE_LIMIT = (1, 60)
    client = Client()
    for _ in range(3):
        assert client.get("/api/v1/rankings/").status_code == 200
