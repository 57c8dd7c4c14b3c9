"""Waiting for a state, never for a clock: check, pause briefly, check again, until the state
holds or a generous deadline passes (then the test fails, naming what it waited for)."""

import time
from collections.abc import Callable


def wait_for(
    predicate: Callable[[], bool], what: str, *, timeout: float = 60, every: float = 0.05
) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)
