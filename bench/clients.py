"""The benches' clients: a minimal keep-alive HTTP/1.1 client and a bare websocket client
for load (bench/votes.py), and a person's urllib client with a cookie jar and an address of
their own that records latency and errors (bench/soak.py)."""

from __future__ import annotations

import asyncio
import base64
import http.cookiejar
import json
import os
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from typing import Any

# --- load: a minimal keep-alive HTTP/1.1 client, a bare websocket client ----------------------


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"", headers: str = "") -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n"
            f"{headers}\r\n"
        )
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and "close" in value.lower():
                close = True
        self.body = await self.reader.readexactly(length)
        if close:
            self.writer.close()
            self.writer = None
        return int(status_line.split()[1])


class WebSocketClient:
    """A bare RFC 6455 client: handshake, masked text frames out, frames in from a buffered
    stream. The websockets library spent far more CPU per message than the server did, so
    with 500 sockets per process it measured its own queueing, not delivery."""

    def __init__(self, port: int) -> None:
        self.port = port

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(
            "127.0.0.1", self.port, limit=2**20
        )
        key = base64.b64encode(os.urandom(16)).decode()
        self.writer.write(
            (
                "GET /ws/live/ HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1\r\n\r\n"
            ).encode()
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError(head[:100])

    def send_text(self, text: str) -> None:
        payload = text.encode()
        mask = os.urandom(4)
        header = (
            bytes([0x81, 0x80 | len(payload)])
            if len(payload) < 126
            else (bytes([0x81, 0x80 | 126]) + len(payload).to_bytes(2, "big"))
        )
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(header + mask + masked)

    async def receive_text(self) -> bytes:
        while True:
            first, second = await self.reader.readexactly(2)
            length = second & 0x7F
            if length == 126:
                length = int.from_bytes(await self.reader.readexactly(2), "big")
            elif length == 127:
                length = int.from_bytes(await self.reader.readexactly(8), "big")
            payload = await self.reader.readexactly(length)
            opcode = first & 0x0F
            if opcode == 0x1:
                return payload
            if opcode == 0x8:
                raise ConnectionError("closed")


# --- people: urllib with a cookie jar, timed --------------------------------------------------


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.ws_messages = 0

    def timed(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latency[kind].append(seconds * 1000)

    def error(self, what: str) -> None:
        with self.lock:
            if len(self.errors) < 50:
                print("error:", what, flush=True)
            self.errors.append(what)


class AnyCookies(http.cookiejar.DefaultCookiePolicy):
    """The production cookies are Secure; this bench speaks plain HTTP on loopback."""

    def return_ok_secure(self, cookie: Any, request: Any) -> bool:
        return True


class Client:
    """One person: a cookie jar and an address of their own."""

    def __init__(self, base: str, address: str, results: Results) -> None:
        self.base, self.address, self.results = base, address, results
        self.jar = http.cookiejar.CookieJar(policy=AnyCookies())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.token: str | None = None

    def csrf(self) -> str:
        return next((c.value or "" for c in self.jar if c.name == "csrftoken"), "")

    def call(
        self, kind: str, method: str, path: str, body: Any = None, ok: tuple[int, ...] = (200,)
    ) -> Any:
        headers = {"X-Forwarded-For": self.address, "Accept": "application/json, text/html"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
            headers["X-CSRFToken"] = self.csrf()
            headers["Referer"] = self.base + "/"
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        request = urllib.request.Request(self.base + path, data, headers, method=method)
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except OSError as error:
            self.results.error(f"{kind}: {error}")
            return None
        self.results.timed(kind, time.perf_counter() - started)
        if status not in ok:
            self.results.error(f"{kind} {method} {path}: {status} {raw[:160]!r}")
            return None
        try:
            return json.loads(raw) if raw[:1] in (b"{", b"[") else raw
        except ValueError:
            return raw
