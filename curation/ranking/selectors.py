"""The rankings feed: one indexed query per page, whatever the number of votes, in the order
and with the figures of the crowd's verdict (curation.ranking.verdict)."""

import collections
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, NamedTuple

from django.db import connection
from django.utils import timezone

from curation.models import ArenaRating, TrackStats
from curation.ranking import verdict
from generation.models import Track

SORTS = tuple(verdict.SORTS)
WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "all": None}
TRACK_COLUMNS = (
    "id",
    "title",
    "preset",
    "key",
    "camelot",
    "tempo_bpm",
    "duration_s",
    "batch_id",
    "finished_at",
)
# A page's row: the track's columns, its stats columns (named as on TrackStats, so the verdict
# reads either), and the sort key.
Row: Any = collections.namedtuple(  # type: ignore[misc]  # fields from the column lists
    "Row", [*(f"track_{c}" for c in TRACK_COLUMNS), *verdict.FIGURE_COLUMNS, "key"]
)
SELECT = ", ".join(
    [*(f"t.{c}" for c in TRACK_COLUMNS), *(f"s.{c}" for c in verdict.FIGURE_COLUMNS)]
)
# The verdict's orderings, as columns of this page's query (t: track, s: stats, a: arena).
_TABLE_ALIASES = {"stats": "s", "arena": "a"}


def _sql_column(orm_path: str) -> str:
    table, _, column = orm_path.rpartition("__")
    return f"{_TABLE_ALIASES.get(table, 't')}.{column}"


@dataclass(frozen=True)
class RankingQuery:
    sort: str = "top"
    window: str = "all"
    batch: int | None = None


@dataclass(frozen=True)
class Position:
    """Where a page starts: after (or, going back, before) this key and track id."""

    key: Any
    track_id: int
    backwards: bool = False


class Entry(NamedTuple):
    """A page's entry: the row, and the figures the verdict makes of it."""

    track: Any  # a Row
    figures: verdict.Figures


@dataclass(frozen=True)
class RankingPage:
    """A page's entries (shaped by curation.serializers.RankingEntrySerializer), the
    positions of its first and last (for the previous and next links), and whether more
    follow in the direction it was read."""

    entries: list[Entry]
    first: Position | None
    last: Position | None
    more: bool


def ranking_page(query: RankingQuery, *, size: int, after: Position | None = None) -> RankingPage:
    """One page of published tracks in the verdict's order. Keyset pagination in one indexed
    query: the cost does not grow with the number of votes, nor with how deep the page is.
    Hand-written SQL, like the vote: this is the most read page of the API."""
    backwards = after is not None and after.backwards
    rows, more = _fetch_page(query, size=size, after=after)
    prior = verdict.site_mean_rating() if rows else verdict.NO_RATINGS_MEAN
    now = verdict.trend_clock()
    return RankingPage(
        [Entry(row, verdict.figures(row, prior=prior, now=now)) for row in rows],
        Position(rows[0].key, rows[0].track_id, backwards) if rows else None,
        Position(rows[-1].key, rows[-1].track_id, backwards) if rows else None,
        more,
    )


def _fetch_page(
    query: RankingQuery, *, size: int, after: Position | None
) -> tuple[list[Any], bool]:
    """One page of rows, in display order, and whether more follow that way."""
    key, where, params, direction = _page_sql(query, after)
    sql = (
        f"SELECT {SELECT}, {key} FROM {TrackStats._meta.db_table} s"
        f" JOIN {Track._meta.db_table} t ON t.id = s.track_id"
        + (
            f" JOIN {ArenaRating._meta.db_table} a ON a.track_id = s.track_id"
            if verdict.SORTS[query.sort].arena
            else ""
        )
        + f" WHERE {' AND '.join(where)}"
        f" ORDER BY {key} {direction}, s.track_id {direction} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, size + 1])
        rows = [Row(*row) for row in cursor.fetchall()]
    more = len(rows) > size
    rows = rows[:size]
    if after is not None and after.backwards:
        rows.reverse()
    return rows, more


def _page_sql(query: RankingQuery, after: Position | None) -> tuple[str, list[str], list[Any], str]:
    sort = verdict.SORTS[query.sort]
    key = _sql_column(sort.column)
    where = ["t.status = %s"]
    params: list[Any] = [Track.Status.READY]
    if query.batch is not None:
        where.append("t.batch_id = %s")
        params.append(query.batch)
    since = WINDOWS[query.window]
    if since is not None:
        # "Top of the week" as on Reddit: tracks published within the window, by their score.
        where.append("t.finished_at >= %s")
        params.append(connection.ops.adapt_datetimefield_value(timezone.now() - since))
    if sort.above is not None:
        where.append(f"{key} > %s")
        params.append(sort.above)
    backwards = after is not None and after.backwards
    if after is not None:
        where.append(f"({key}, s.track_id) {'>' if backwards else '<'} (%s, %s)")
        params += [after.key, after.track_id]
    return key, where, params, "ASC" if backwards else "DESC"
