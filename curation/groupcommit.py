"""Group commit for the ratings sent over sockets: within each server process, the rating
frames that arrive while the previous group is being written (or within WINDOW_S of the
first: CURATION_RATING_GROUP_WINDOW_S) are written together, in one transaction by one statement
(curation.services.ratings.ratings_submit_many through curation.votes.frames_rate), and each
is answered only once that transaction has committed.

Why: a socket's rating would otherwise be a database round trip and a commit of its own, one
at a time, on the one thread a server process gives the database (channels'
database_sync_to_async). Under load a group grows to what arrived during the last write, so
the cost of a commit is shared; alone, a rating waits WINDOW_S at most.
"""

import asyncio
import logging
import weakref
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings

from albumvote.exceptions import error_body
from curation import votes
from curation.throttles import Voter

logger = logging.getLogger(__name__)

# The most ratings one statement writes.
MAX_GROUP = 500

Item = tuple[Voter, dict[str, Any]]


class GroupCommit:
    def __init__(self) -> None:
        self.waiting: list[tuple[Item, asyncio.Future[dict[str, Any]]]] = []
        self.writer: asyncio.Task[None] | None = None

    async def rate(self, voter: Voter, frame: dict[str, Any]) -> dict[str, Any]:
        """The frame's answer ("rated" or an error frame), once its group is committed."""
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting.append(((voter, frame), future))
        if self.writer is None:
            self.writer = asyncio.ensure_future(self._write())
        # A socket that closes meanwhile does not take its rating out of the group.
        return await asyncio.shield(future)

    async def _write(self) -> None:
        try:
            await asyncio.sleep(settings.CURATION_RATING_GROUP_WINDOW_S)
            while self.waiting:
                group, self.waiting = self.waiting[:MAX_GROUP], self.waiting[MAX_GROUP:]
                try:
                    answers = await database_sync_to_async(votes.frames_rate)(
                        [item for item, _ in group]
                    )
                except Exception:
                    logger.exception("a group of %d ratings could not be written", len(group))
                    # Nothing of the group is acknowledged; the page sends each again over
                    # HTTP, which is safe (a listener has one rating per track).
                    answers = [_unavailable(item) for item, _ in group]
                for (_, future), answer in zip(group, answers, strict=True):
                    if not future.done():
                        future.set_result(answer)
        finally:
            self.writer = None


def _unavailable(item: Item) -> dict[str, Any]:
    body = error_body("unavailable", "Your rating could not be saved just now; it is sent again.")
    return {"type": "error", "ref": votes.frame_ref(item[1]), **body["error"]}


_groups: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, GroupCommit]" = (
    weakref.WeakKeyDictionary()
)


def group_commit() -> GroupCommit:
    """This process's group (one per event loop: a server process runs one)."""
    loop = asyncio.get_running_loop()
    group = _groups.get(loop)
    if group is None:
        group = _groups[loop] = GroupCommit()
    return group
