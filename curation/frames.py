"""JSON text frames, the same on every websocket of the site: a client frame is a JSON object
with a type; a bad one is answered with an error frame and the connection stays open."""

import json
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer

from albumvote import parsers


class JsonFramesConsumer(AsyncWebsocketConsumer):
    max_frame_bytes = 4096

    async def read_frame(self, text_data: str | None) -> dict[str, Any] | None:
        """The client's frame, or None once a bad one has been answered with an error frame."""
        if text_data is None:
            await self.error("binary_frame", "Send JSON text frames.")
            return None
        try:
            size = len(text_data.encode())
        except UnicodeEncodeError:  # a lone surrogate: not text any socket could carry
            await self.error("bad_json", "That frame is not valid UTF-8 text.")
            return None
        if size > self.max_frame_bytes:
            limit = self.max_frame_bytes
            await self.error("frame_too_large", f"Frames are limited to {limit} bytes.")
            return None
        try:
            frame = parsers.loads(text_data)
            # An escaped lone surrogate ("\\ud800") parses, then breaks whatever encodes it.
            json.dumps(frame, ensure_ascii=False).encode()
        except (ValueError, UnicodeEncodeError):
            await self.error("bad_json", "That frame is not valid JSON text.")
            return None
        if not isinstance(frame, dict):
            await self.error("bad_frame", "A frame is a JSON object with a type.")
            return None
        return frame

    async def error(self, code: str, message: str) -> None:
        await self.send_json({"type": "error", "code": code, "message": message})

    async def send_json(self, content: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(content))
