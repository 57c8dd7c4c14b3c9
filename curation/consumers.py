"""The live websocket (/ws/live/): subscribe to topics, receive their events, and rate over
the socket the page already holds (curation.votes has the rules). No logic here."""

import asyncio
import contextlib
import logging
from typing import Any

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.layers import get_channel_layer

from albumvote.clients import socket_address
from curation import realtime, votes
from curation.frames import JsonFramesConsumer
from curation.groupcommit import group_commit
from curation.identity import socket_listener_id
from curation.throttles import Voter

logger = logging.getLogger(__name__)

MAX_FRAME_BYTES = 4096
MAX_TOPICS = 50
LAYER_TIMEOUT_S = 1.5


class LiveConsumer(JsonFramesConsumer):
    """Client frames: {"type": "subscribe"|"unsubscribe", "topics": [...]}, {"type": "ping"},
    {"type": "rate", "track", "stars", "ref"} (answered {"type": "rated", "ref", ...} once the
    rating is committed, or an error frame with the ref).

    A bad frame gets {"type": "error", "code", "message"} and the connection stays open.
    If the channel layer (Redis) is down, the client is told live updates are paused and the
    socket closes; the page keeps working and reconnects later.
    """

    max_frame_bytes = MAX_FRAME_BYTES

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Channels' own __call__, changed in two ways that matter for live updates.

        - A channel layer that cannot make this connection a channel (Redis down) leaves it
          running without one, so the page is told live updates are paused instead of seeing
          the handshake fail.
        - Broadcasts skip the generic dispatch (a task per message, and a thread hop to close
          stale database connections, which this consumer never uses): each one is written to
          the socket as it comes. That cut the CPU of a broadcast to 1,000 sockets by 2/3.
        """
        self.scope = scope
        self.base_send = send
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        loops = [self._client_loop(receive)]
        if self.channel_layer is not None:
            try:
                self.channel_name = await asyncio.wait_for(
                    self.channel_layer.new_channel(), LAYER_TIMEOUT_S
                )
                loops.append(self._broadcast_loop())
            except Exception:
                logger.warning("channel layer unavailable; live updates paused", exc_info=True)
                self.channel_layer = None
        tasks = [asyncio.ensure_future(loop) for loop in loops]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            # Cancelling the broadcast loop also unsubscribes its channel (channels_redis).
            await asyncio.gather(*tasks, return_exceptions=True)
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]

    async def _client_loop(self, receive: Any) -> None:
        with contextlib.suppress(StopConsumer):
            while True:
                await self.dispatch(await receive())

    async def _broadcast_loop(self) -> None:
        while True:
            message = await self.channel_layer.receive(self.channel_name)
            if message.get("type") == "live.message":
                await self.base_send({"type": "websocket.send", "text": message["text"]})
            else:
                await self.dispatch(message)

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        self.subscribed: set[str] = set()
        user = self.scope.get("user")
        self.voter = Voter(
            listener_id=socket_listener_id(self.scope),
            user_id=user.pk if user is not None and user.is_authenticated else None,
            ip=socket_address(self.scope),
        )
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in list(getattr(self, "subscribed", ())):
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:
                logger.info("could not leave %s on disconnect", group)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        frame = await self.read_frame(text_data)
        if frame is None:
            return
        kind = frame.get("type")
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind in ("subscribe", "unsubscribe"):
            await self.change_subscriptions(kind, frame.get("topics"))
        elif kind == votes.RATE:
            # Awaited here: a socket's ratings are committed and answered in the order sent.
            await self.send_json(await group_commit().rate(self.voter, frame))
        else:
            await self.error(
                "unknown_type",
                f"Unknown frame type {kind!r}; use subscribe, unsubscribe, rate or ping.",
            )

    async def change_subscriptions(self, kind: str, topics: Any) -> None:
        if self.channel_layer is None:
            await self.paused()
            return
        if not isinstance(topics, list) or not topics or len(topics) > MAX_TOPICS:
            await self.error("bad_topics", f"topics must be a list of 1 to {MAX_TOPICS} topics.")
            return
        groups = [realtime.topic_group(topic) for topic in topics]
        unknown = [t for t, g in zip(topics, groups, strict=True) if g is None]
        if unknown:
            await self.error(
                "unknown_topic", f"Unknown topic(s): {unknown}. Topics are track:<id>, top and new."
            )
            return
        wanted = {g for g in groups if g is not None}
        if kind == "subscribe" and len(self.subscribed | wanted) > MAX_TOPICS:
            await self.error("too_many_topics", f"At most {MAX_TOPICS} topics per connection.")
            return
        try:
            for group in wanted:
                if kind == "subscribe" and group not in self.subscribed:
                    # The pub/sub layer keeps retrying a Redis that is down instead of failing.
                    await asyncio.wait_for(
                        self.channel_layer.group_add(group, self.channel_name), LAYER_TIMEOUT_S
                    )
                    self.subscribed.add(group)
                elif kind == "unsubscribe" and group in self.subscribed:
                    await self.channel_layer.group_discard(group, self.channel_name)
                    self.subscribed.discard(group)
        except Exception:
            logger.warning("channel layer unavailable", exc_info=True)
            await self.paused()
            return
        await self.send_json({"type": kind + "d", "topics": topics})

    async def live_message(self, event: dict[str, Any]) -> None:
        # Encoded once by the sender for every subscriber.
        await self.send(text_data=event["text"])

    async def paused(self) -> None:
        await self.error(
            "live_unavailable", "Live updates are paused; they come back on their own."
        )
        await self.close(code=1013)  # "try again later": the page reconnects with backoff
