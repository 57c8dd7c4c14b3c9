"""A channel-layer listener for tests: its own event loop on a thread, collecting messages.

The Redis pub/sub layer ties channels to the event loop that made them, so a test that
subscribes, then runs sync code that sends, needs the subscription to live on a loop of its own.
"""

import asyncio
import threading
import time
from typing import Any

from channels.layers import get_channel_layer


class LayerListener:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.layer = get_channel_layer()
        self.channel: str = self._call(self.layer.new_channel())
        self.received: list[dict[str, Any]] = []
        self._reader = asyncio.run_coroutine_threadsafe(self._read(), self.loop)

    def _call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    async def _read(self) -> None:
        while True:
            self.received.append(await self.layer.receive(self.channel))

    def join(self, *groups: str) -> "LayerListener":
        for group in groups:
            self._call(self.layer.group_add(group, self.channel))
        return self

    def wait(self, count: int = 1, timeout: float = 5.0, quiet: float = 0.3) -> list[dict]:
        """Messages so far, once at least `count` have come and none for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        seen = -1
        while time.monotonic() < deadline:
            if len(self.received) >= count and len(self.received) == seen:
                break
            seen = len(self.received)
            time.sleep(quiet)
        return list(self.received)

    def close(self) -> None:
        async def shut_down() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            flush = getattr(self.layer, "flush", None)
            if flush is not None:
                await flush()

        self._call(shut_down())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()
