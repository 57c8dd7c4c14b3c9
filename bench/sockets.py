"""Lean websocket clients for bench/votes.py: the 1,000 listeners and the socket raters, many
sockets to one asyncio process.

Each socket is an asyncio Protocol that parses frames straight from what the transport hands
it: no stream reader, no task per socket for listeners, and a listener reads an event's
version with a regular expression instead of decoding the JSON. What the client spends per
frame is small next to what the server spends, so the timings measure the server.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

# An event's version, without decoding it (listeners get one per coalesced update).
RATING_EVENT = re.compile(rb'"type":\s*"rating\.updated".*"version":\s*(\d+)')


class LeanSocket(asyncio.Protocol):
    """One /ws/live/ connection: handshake (with a listener cookie if given), text frames out
    masked with a zero key, text frames in passed to `on_text`."""

    def __init__(self, on_text: Callable[[bytes], None]) -> None:
        self.on_text = on_text
        self.buffer = bytearray()
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.open = False

    @classmethod
    async def connect(
        cls, port: int, on_text: Callable[[bytes], None], cookie: str = ""
    ) -> LeanSocket:
        loop = asyncio.get_running_loop()
        _, socket = await loop.create_connection(lambda: cls(on_text), "127.0.0.1", port)
        key = base64.b64encode(os.urandom(16)).decode()
        socket.transport.write(
            (
                "GET /ws/live/ HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1\r\n"
                + (f"Cookie: albumvote_listener={cookie}\r\n" if cookie else "")
                + "\r\n"
            ).encode()
        )
        await socket.opened
        return socket

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionError("closed before the handshake"))
        if not self.closed.done():
            self.closed.set_result(None)

    def send_text(self, text: str) -> None:
        # RFC 6455 wants client frames masked; a zero key is a valid key and spares the XOR.
        payload = text.encode()
        size = len(payload)
        if size < 126:
            header = bytes((0x81, 0x80 | size))
        else:
            header = bytes((0x81, 0x80 | 126)) + size.to_bytes(2, "big")
        self.transport.write(header + b"\0\0\0\0" + payload)

    def close(self) -> None:
        if not self.transport.is_closing():
            self.transport.write(b"\x88\x80\0\0\0\0")
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        if not self.open:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(buffer[: buffer.find(b"\r\n")])
            del buffer[: end + 4]
            if b" 101 " not in status:
                self.opened.set_exception(ConnectionError(status[:100]))
                self.transport.close()
                return
            self.open = True
            self.opened.set_result(None)
        start = 0
        size = len(buffer)
        while size - start >= 2:
            first, second = buffer[start], buffer[start + 1]
            length, offset = second & 0x7F, start + 2
            if length == 126:
                if size - start < 4:
                    break
                length, offset = int.from_bytes(buffer[start + 2 : start + 4], "big"), start + 4
            elif length == 127:
                if size - start < 10:
                    break
                length, offset = int.from_bytes(buffer[start + 2 : start + 10], "big"), start + 10
            if size < offset + length:
                break
            opcode = first & 0x0F
            if opcode == 0x1:
                self.on_text(bytes(buffer[offset : offset + length]))
            elif opcode == 0x8:
                self.transport.close()
            elif opcode == 0x9:  # ping: pong with its payload
                payload = bytes(buffer[offset : offset + length])
                self.transport.write(bytes((0x8A, 0x80 | len(payload))) + b"\0\0\0\0" + payload)
            start = offset + length
        del buffer[:start]


# --- listeners ----------------------------------------------------------------------------------


def listener_process(port: int, topics: list[int], stop_file: str, ready: str, out: str) -> None:
    """Holds one socket per topic (a track id), subscribed to it, until `stop_file` exists;
    then writes each socket's track and the (arrival, version) of its rating events."""

    async def main() -> None:
        seen: list[list[tuple[float, int]]] = [[] for _ in topics]
        subscribed: list[bool] = [False] * len(topics)
        sockets: list[LeanSocket] = []

        def receiver(index: int) -> Callable[[bytes], None]:
            events = seen[index]

            def on_text(payload: bytes) -> None:
                found = RATING_EVENT.search(payload)
                if found is not None:
                    events.append((time.time(), int(found.group(1))))
                else:
                    subscribed[index] = True  # the subscription's answer

            return on_text

        async def open_one(index: int, track: int) -> None:
            try:
                socket = await LeanSocket.connect(port, receiver(index))
            except (OSError, ConnectionError):
                return
            socket.send_text(json.dumps({"type": "subscribe", "topics": [f"track:{track}"]}))
            sockets.append(socket)

        opening = []
        for index, track in enumerate(topics):
            opening.append(asyncio.create_task(open_one(index, track)))
            await asyncio.sleep(0.002)  # don't stampede the server's accept queue
        await asyncio.gather(*opening)
        for _ in range(200):
            if all(subscribed):
                break
            await asyncio.sleep(0.05)
        Path(ready).write_text(str(sum(subscribed)))
        while not Path(stop_file).exists():
            await asyncio.sleep(0.2)
        # Sockets the server closed under the listeners, before the bench ended.
        dropped = sum(1 for socket in sockets if socket.closed.done())
        for socket in sockets:
            socket.close()
        result = {"tracks": topics, "subscribed": subscribed, "seen": seen, "dropped": dropped}
        Path(out).write_text(json.dumps(result))

    asyncio.run(main())


# --- raters -------------------------------------------------------------------------------------


def socket_rater_process(
    port: int,
    tracks: list[int],
    listeners: list[tuple[int, str]],
    concurrency: int,
    start_at: float,
    stop_at: float,
    out: str,
) -> None:
    """`concurrency` sockets rating one frame at a time from `start_at` until `stop_at`, then
    waiting for the answers in flight. Each socket connects as a listener (their cookie), rates
    every track once, then reconnects as the next listener: no (listener, track) pair is rated
    twice. Writes one row per frame (listener, track, sent, answered, type, code, version) and
    the CPU it used while rating."""

    async def rater(queue: list[tuple[int, str]], rows: list[list]) -> None:
        while time.time() < start_at:
            await asyncio.sleep(0.005)
        while queue and time.time() < stop_at:
            listener, cookie = queue.pop()
            answers: asyncio.Queue[bytes] = asyncio.Queue()
            try:
                socket = await LeanSocket.connect(port, answers.put_nowait, cookie)
            except (OSError, ConnectionError) as error:
                rows.append([listener, 0, time.time(), time.time(), "connect", str(error), 0])
                continue
            first = listener % len(tracks)
            for track in tracks[first:] + tracks[:first]:
                if time.time() >= stop_at:
                    break
                ref = f"{listener}:{track}"
                sent = time.time()
                socket.send_text(
                    json.dumps({"type": "rate", "track": track, "stars": 1 + track % 5, "ref": ref})
                )
                try:
                    raw = await asyncio.wait_for(answers.get(), timeout=60)
                except TimeoutError:
                    rows.append([listener, track, sent, time.time(), "timeout", "", 0])
                    break
                answered = time.time()
                answer = json.loads(raw)
                if answer.get("ref") != ref:
                    # A server without ratings over the socket answers an error without a ref.
                    code = answer.get("code", "") if answer.get("type") == "error" else "mismatch"
                    rows.append([listener, track, sent, answered, "error", code, 0])
                    break
                version = (answer.get("rating") or {}).get("version", 0)
                code = answer.get("code", "")
                rows.append([listener, track, sent, answered, answer["type"], code, version])
            socket.close()

    async def main() -> None:
        queue = list(reversed(listeners))
        rows: list[list] = []
        while time.time() < start_at - 0.05:
            await asyncio.sleep(0.01)
        # This process's CPU while rating, without its start-up (imports).
        began = time.process_time()
        await asyncio.gather(*(rater(queue, rows) for _ in range(concurrency)))
        cpu_s = time.process_time() - began
        Path(out).write_text(json.dumps({"rows": rows, "left": len(queue), "cpu_s": cpu_s}))

    asyncio.run(main())
