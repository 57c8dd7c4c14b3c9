"""The producers' websocket (/ws/producer/): generation progress events, forwarded as JSON.

Origin and session checks happen in albumvote.asgi (AllowedHostsOriginValidator +
AuthMiddlewareStack); this consumer only lets producers in. It joins generation's
all-batches group and forwards batch.launched, track.status and batch.finished as they come.
Client frames: {"type": "ping"} only. A bad frame gets an error frame and the connection stays.
"""

import asyncio
import logging
from typing import Any

from channels.db import database_sync_to_async

from albumvote.permissions import is_producer
from curation.frames import JsonFramesConsumer
from generation import events

logger = logging.getLogger(__name__)

MAX_FRAME_BYTES = 1024
LAYER_TIMEOUT_S = 1.5
CLOSE_FORBIDDEN = 4403  # the page does not reconnect after this one


class ProducerConsumer(JsonFramesConsumer):
    max_frame_bytes = MAX_FRAME_BYTES
    groups: list[str] = []  # joined by hand, after the permission check

    async def connect(self) -> None:
        self.joined = False
        await self.accept()
        user = self.scope.get("user")
        if user is None or not await database_sync_to_async(is_producer)(user):
            await self.error("forbidden", "Only producers can follow generation progress.")
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if self.channel_layer is None:
            await self.paused()
            return
        try:
            await asyncio.wait_for(
                self.channel_layer.group_add(events.ALL_BATCHES_GROUP, self.channel_name),
                LAYER_TIMEOUT_S,
            )
        except Exception:
            logger.warning("channel layer unavailable", exc_info=True)
            await self.paused()
            return
        self.joined = True
        await self.send_json({"type": "ready"})

    async def disconnect(self, code: int) -> None:
        if getattr(self, "joined", False):
            try:
                await self.channel_layer.group_discard(events.ALL_BATCHES_GROUP, self.channel_name)
            except Exception:
                logger.info("could not leave %s on disconnect", events.ALL_BATCHES_GROUP)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        frame = await self.read_frame(text_data)
        if frame is None:
            return
        if frame.get("type") == "ping":
            await self.send_json({"type": "pong"})
            return
        await self.error("unknown_type", f"Unknown frame type {frame.get('type')!r}; use ping.")

    # generation.events sends {"type": "track.status", ...}: Channels calls track_status.
    async def batch_launched(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def track_status(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def batch_finished(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def paused(self) -> None:
        await self.error("live_unavailable", "Live progress is paused; it comes back on its own.")
        await self.close(code=1013)
