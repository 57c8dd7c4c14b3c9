"""Hostile input is normal input for a voting site: each of these once answered 500 or HTML.
Every one must get a 4xx in the API's one JSON error shape (issue 11 §2)."""

import base64
import json
from typing import Any

import pytest
from django.test import Client

from tests.factories import ReadyTrackFactory

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000


def error_of(response: Any) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]), body
    return body["error"]


def assert_refused(response: Any, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:300])
    return error_of(response)


@pytest.fixture
def track():
    return ReadyTrackFactory.create(duration_s=120.0)


def events(track, session: Any = "s1", **event: Any) -> dict[str, Any]:
    play = {"type": "play", "position": 0, "seq": 1, "t": 1000, **event}
    return {"track": track.pk, "session": session, "events": [play]}


@pytest.mark.parametrize(
    ("body_of", "field"),
    [
        (lambda t: events(t, seq=2_147_483_648), "events[0]"),
        (lambda t: events(t, t=2**63), "events[0]"),
        (lambda t: events(t, session="a\u0000b"), "session"),
        (lambda t: events(t, session="a\ud800b"), "session"),
    ],
    ids=["seq-beyond-int32", "t-beyond-int64", "nul-in-session", "lone-surrogate-in-session"],
)
def test_listening_events_out_of_range_are_refused(client: Client, track, body_of, field):
    body = json.dumps(body_of(track), ensure_ascii=True)
    response = client.post("/api/v1/listening-events/", body, content_type="application/json")
    assert assert_refused(response)["details"]["field"] == field


@pytest.mark.parametrize(
    "url",
    ["/api/v1/listening-events/", "/api/v1/tracks/{id}/rating/", "/api/v1/arena/votes/"],
)
def test_json_nested_a_hundred_thousand_deep_is_a_parse_error(client: Client, track, url):
    response = client.post(url.format(id=track.pk), DEEP, content_type="application/json")
    assert assert_refused(response)["code"] == "parse_error"


def test_json_nested_deep_on_album_creation_is_a_parse_error(track):
    from tests.factories import ProducerFactory

    client = Client()
    client.force_login(ProducerFactory.create())
    response = client.post("/api/v1/albums/", DEEP, content_type="application/json")
    assert assert_refused(response)["code"] == "parse_error"


@pytest.mark.parametrize("url", ["/api/v1/tracks/", "/api/v1/batches/"])
def test_a_cursor_that_decodes_to_nonsense_is_refused(client: Client, track, url):
    response = client.get(url, {"cursor": "cD1hYmM="})  # "p=abc"
    assert assert_refused(response, 404)["code"] == "invalid_cursor"


def test_a_rankings_cursor_holding_deeply_nested_json_is_refused(client: Client, track):
    deep = "[" * 5000 + "]" * 5000
    for nested in (deep, f'["top", {deep}, 1, false]'):
        cursor = base64.urlsafe_b64encode(nested.encode()).decode()
        response = client.get("/api/v1/rankings/", {"cursor": cursor})
        assert response.status_code in (400, 404)
        error_of(response)


@pytest.mark.parametrize("url", ["/api/v1/tracks/", "/api/v1/rankings/"])
@pytest.mark.parametrize("size", ["-1", "0", "101", "x"])
def test_page_size_is_checked_alike_on_every_list(client: Client, track, url, size):
    assert_refused(client.get(url, {"page_size": size}))


@pytest.mark.parametrize("method", ["patch", "options"])
def test_other_methods_on_the_rating_endpoint_answer_in_json(client: Client, track, method):
    response = getattr(client, method)(f"/api/v1/tracks/{track.pk}/rating/")
    allowed = {m.strip() for m in response["Allow"].split(",")}
    assert {"GET", "POST", "DELETE"} <= allowed
    if method == "patch":
        assert assert_refused(response, 405)["code"] == "method_not_allowed"
    else:
        assert response.status_code == 200


def test_a_body_over_the_size_limit_is_a_json_error_under_api(client: Client, track, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps(events(track) | {"pad": "x" * 2000})
    response = client.post("/api/v1/listening-events/", body, content_type="application/json")
    assert assert_refused(response, 413)["code"] == "too_large"


def test_a_wrong_host_is_a_json_error_under_api(client: Client):
    response = client.get("/api/v1/tracks/", HTTP_HOST="evil.example")
    assert assert_refused(response)["code"] == "bad_request"


def test_an_invalid_token_is_401_with_a_challenge_everywhere(track):
    wrong = Client(HTTP_AUTHORIZATION="Token not-a-real-key")
    for response in (
        wrong.get("/api/v1/batches/"),
        wrong.post(f"/api/v1/tracks/{track.pk}/rating/", {"stars": 3}, "application/json"),
        wrong.post("/api/v1/listening-events/", events(track), "application/json"),
    ):
        assert assert_refused(response, 401)["code"] == "authentication_failed"
        assert response["WWW-Authenticate"].startswith("Token")


def test_a_csrf_failure_has_one_code_everywhere(track):
    from tests.factories import ProducerFactory

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ProducerFactory.create())
    for response in (
        browser.post("/api/v1/albums/", {"title": "x"}, "application/json"),
        browser.post(f"/api/v1/tracks/{track.pk}/rating/", {"stars": 3}, "application/json"),
        browser.post("/api/v1/listening-events/", events(track), "application/json"),
    ):
        assert assert_refused(response, 403)["code"] == "csrf_failed"
