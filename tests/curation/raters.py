"""The two paths a rating takes, for the tests that must hold on both: a POST to the rating
endpoint, and a rating frame on the page's open socket (/ws/live/, through the whole ASGI
stack: origin check, address limit, session and cookie). Each answers an Answer, so a test
compares what the paths say, not how."""

import json
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.test import Client

from albumvote.asgi import application

# Generous: a busy machine is slow; how fast a rating is answered is bench/votes.py's concern.
TIMEOUT_S = 15.0
PATHS = ("http", "socket")


@dataclass(frozen=True)
class Answer:
    ok: bool
    body: dict[str, Any]  # the rating change, or the error: {code, message, details}
    created: bool | None = None  # HTTP only: 201 rather than 200
    headers: dict[str, str] | None = None

    @property
    def code(self) -> str | None:
        return None if self.ok else self.body["code"]


def rate(path: str, client: Client, track_id: Any, stars: Any, **frame: Any) -> Answer:
    """Rate as `client` (its cookies: listener, session) over `path`."""
    if path == "http":
        response = client.post(
            f"/api/v1/tracks/{track_id}/rating/", {"stars": stars}, content_type="application/json"
        )
        body = response.json()
        ok = response.status_code < 300
        return Answer(
            ok,
            body if ok else body["error"],
            created=response.status_code == 201,
            headers=dict(response.headers),
        )
    answer = send_frames(client, [{"type": "rate", "track": track_id, "stars": stars, **frame}])[0]
    return answer_of(answer)


def answer_of(frame: dict[str, Any]) -> Answer:
    kind = frame.pop("type")
    frame.pop("ref", None)
    assert kind in ("rated", "error"), frame
    return Answer(kind == "rated", frame)


def page_socket(cookies: str) -> WebsocketCommunicator:
    """/ws/live/ as a page of this site opens it, with these cookies (a Cookie header)."""
    return WebsocketCommunicator(
        application,
        "/ws/live/",
        headers=[
            (b"origin", b"http://localhost"),
            (b"host", b"localhost"),
            (b"cookie", cookies.encode()),
        ],
    )


def send_frames(client: Client, frames: list[Any]) -> list[dict[str, Any]]:
    """Open a socket as the client's page would, send each frame, and return each answer."""

    async def scenario() -> list[dict[str, Any]]:
        cookies = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
        socket = page_socket(cookies)
        connected, _ = await socket.connect()
        assert connected
        answers = []
        try:
            for frame in frames:
                text = frame if isinstance(frame, str) else json.dumps(frame)
                await socket.send_to(text_data=text)
                answers.append(json.loads(await socket.receive_from(timeout=TIMEOUT_S)))
        finally:
            await socket.disconnect()
            channel_layers.backends.clear()
        return answers

    return async_to_sync(scenario)()
