"""Sync code called from the event loop must never hang a request when it raises StopIteration.

asgiref runs sync views, middleware and templates in a thread and hands the outcome back through
an asyncio Future. Before Python 3.13 (CPython gh-112182), Future.set_exception refuses
StopIteration with a TypeError inside the loop's callback, so the Future never completes and the
request hangs for good (seen: `next()` over an empty generator in a view). This turns that one
exception into a RuntimeError at the thread's edge, which then ends as an ordinary 500, as
Python 3.13 itself does.
"""

import sys
from typing import Any

from asgiref.sync import SyncToAsync

_run_in_thread = SyncToAsync.thread_handler


def _thread_handler(self: SyncToAsync[Any, Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return _run_in_thread(self, *args, **kwargs)
    except StopIteration as exc:
        raise RuntimeError("StopIteration escaped synchronous code run from async") from exc


def install() -> None:
    if sys.version_info < (3, 13):
        SyncToAsync.thread_handler = _thread_handler  # type: ignore[method-assign]
