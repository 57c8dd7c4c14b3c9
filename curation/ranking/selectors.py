"""Ranking reads: one indexed query per page, whatever the number of votes."""

import functools
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from curation import scoring
from curation import selectors as curation_selectors
from curation.models import ArenaRating, TrackStats
from generation.models import Track

SORTS = ("top", "trending", "new", "controversial", "arena")
WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "all": None}
# Each sort's stored, indexed key (TrackStats.Meta.indexes), highest first; the track id breaks
# ties, so the order is total and a page boundary never skips or repeats a track.
SORT_KEYS = {
    "top": "s.crowd_score",
    "trending": "s.trend_log",
    "controversial": "s.controversy",
    "new": "t.finished_at",
    "arena": "a.rating",  # the Bradley-Terry rating; only tracks with arena votes
}
COLUMNS = (
    "s.track_id",
    "t.title",
    "t.preset",
    "t.key",
    "t.camelot",
    "t.tempo_bpm",
    "t.duration_s",
    "t.batch_id",
    "t.finished_at",
    "s.rating_count",
    "s.rating_sum",
    *(f"s.stars_{k}" for k in scoring.STARS),
    "s.mean",
    "s.lower_bound",
    "s.controversy",
    "s.plays",
    "s.unique_listeners",
    "s.listen_through",
    "s.skip_rate",
    "s.replays",
    "s.trend_log",
    "s.crowd_score",
)
NAMES = tuple(column.replace(".", "_") for column in COLUMNS)


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


@dataclass(frozen=True)
class RankingPage:
    """A page as the feed sends it: its entries already encoded as a JSON array, the
    positions of its first and last entries (for the previous and next links), and whether
    more follow in the direction it was read."""

    results_json: bytes
    first: Position | None
    last: Position | None
    more: bool


def ranking_page(query: RankingQuery, *, size: int, after: Position | None = None) -> RankingPage:
    """One page of published tracks in ranking order. Keyset pagination in one indexed
    query: the cost does not grow with the number of votes, nor with how deep the page is.

    Hand-written SQL, like the vote: this is the most read page of the API. On PostgreSQL the
    query also computes, rounds and formats every value of an entry, so Python only arranges
    them (building them from model rows cost more than the query; bench/rankings.py).
    Elsewhere ranking_rows and ranking_values compute the same values; a test holds the two
    paths equal.
    """
    backwards = after is not None and after.backwards
    if connection.vendor == "postgresql":
        values, more = _values_from_database(query, size=size, after=after)
    else:
        rows, more = ranking_rows(query, size=size, after=after)
        values = ranking_values(rows, query.sort)
    return RankingPage(
        orjson.dumps([_entry(v) for v in values]),
        Position(values[0][-1], values[0][0], backwards) if values else None,
        Position(values[-1][-1], values[-1][0], backwards) if values else None,
        more,
    )


def ranking_rows(
    query: RankingQuery, *, size: int, after: Position | None = None
) -> tuple[list[dict[str, Any]], bool]:
    """The raw rows of one page (in display order), and whether more follow that way."""
    extra = (SORT_KEYS[query.sort],) if query.sort == "arena" else ()
    rows, more = _fetch_page(", ".join((*COLUMNS, *extra)), query, size=size, after=after)
    names = (*NAMES, *(key.replace(".", "_") for key in extra))
    return [dict(zip(names, row, strict=True)) for row in rows], more


def ranking_values(rows: list[dict[str, Any]], sort: str) -> list[tuple[Any, ...]]:
    """Each row's entry values, computed in Python, in the order of _VALUES_SQL."""
    prior = site_mean_rating() if rows else 3.0
    strength = settings.CURATION_BAYES_PRIOR_STRENGTH
    now = trend_clock()
    sort_key = SORT_KEYS[sort].replace(".", "_")
    values = []
    for row in rows:
        pk = row["s_track_id"]
        bayes = scoring.bayes(
            row["s_rating_sum"], row["s_rating_count"], prior_mean=prior, strength=strength
        )
        values.append(
            (
                pk,
                row["t_title"],
                row["t_preset"],
                row["t_key"],
                row["t_camelot"],
                row["t_tempo_bpm"],
                row["t_duration_s"],
                row["t_batch_id"],
                _moment(row["t_finished_at"]),
                _url("curation:track", pk),
                _url("curation:track-audio", pk, "mp3"),
                _url("curation:track-audio", pk, "opus"),
                row["s_crowd_score"],
                row["s_rating_count"],
                *(row[f"s_stars_{k}"] for k in scoring.STARS),
                row["s_mean"],
                bayes,
                row["s_lower_bound"],
                row["s_plays"],
                row["s_unique_listeners"],
                row["s_listen_through"],
                row["s_skip_rate"],
                row["s_replays"],
                scoring.trend_now(row["s_trend_log"], now),
                row["s_controversy"],
                row[sort_key],
            )
        )
    return values


def ranking_entries(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    """Feed entries computed in Python from raw rows (the portable path)."""
    return [_entry(v) for v in ranking_values(rows, sort)]


def _entry(v: tuple[Any, ...]) -> dict[str, Any]:
    """One feed entry from its values (ranking_values' order; the last is the sort key).

    Scores go out at full precision: rounding them cost a fifth of the page, in PostgreSQL
    (numeric) as in Python."""
    return {
        "track": {
            "id": v[0],
            "title": v[1],
            "preset": v[2],
            "key": v[3],
            "camelot": v[4],
            "tempo_bpm": v[5],
            "duration_s": v[6],
            "batch": v[7],
            "published_at": v[8],
            "url": v[9],
            "audio_mp3": v[10],
            "audio_opus": v[11],
        },
        "crowd_score": v[12],
        "ratings": {
            "count": v[13],
            "distribution": {"1": v[14], "2": v[15], "3": v[16], "4": v[17], "5": v[18]},
            "mean": v[19],
            "bayesian_average": v[20],
            "lower_bound": v[21],
        },
        "listening": {
            "plays": v[22],
            "unique_listeners": v[23],
            "listen_through": v[24],
            "skip_rate": v[25],
            "replays": v[26],
        },
        "trending": v[27],
        "controversy": v[28],
    }


def _values_from_database(
    query: RankingQuery, *, size: int, after: Position | None
) -> tuple[list[tuple[Any, ...]], bool]:
    constants: dict[str, Any] = {
        "prior": site_mean_rating(),
        "strength": float(settings.CURATION_BAYES_PRIOR_STRENGTH),
        "trend_now": scoring.TREND_RATE * (trend_clock() - scoring.TREND_EPOCH).total_seconds(),
    }
    for name, url, args in (
        ("url", "curation:track", ()),
        ("mp3", "curation:track-audio", ("mp3",)),
        ("opus", "curation:track-audio", ("opus",)),
    ):
        constants[f"{name}_a"], constants[f"{name}_b"] = _url_pattern(url, args).split("{}")
    select = f"{_named(_VALUES_SQL, constants)}, {SORT_KEYS[query.sort]}"
    return _fetch_page(select, query, size=size, after=after)


def _fetch_page(
    select: str, query: RankingQuery, *, size: int, after: Position | None
) -> tuple[list[tuple[Any, ...]], bool]:
    """SELECT `select` for one page, in display order, and whether more follow that way."""
    key, where, params, direction = _page_sql(query, after)
    sql = (
        f"SELECT {select} FROM {TrackStats._meta.db_table} s"
        f" JOIN {Track._meta.db_table} t ON t.id = s.track_id"
        + (
            f" JOIN {ArenaRating._meta.db_table} a ON a.track_id = s.track_id"
            if query.sort == "arena"
            else ""
        )
        + f" WHERE {' AND '.join(where)}"
        f" ORDER BY {key} {direction}, s.track_id {direction} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, size + 1])
        rows = cursor.fetchall()
    more = len(rows) > size
    rows = rows[:size]
    if after is not None and after.backwards:
        rows.reverse()
    return rows, more


def _page_sql(query: RankingQuery, after: Position | None) -> tuple[str, list[str], list[Any], str]:
    key = SORT_KEYS[query.sort]
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
    if query.sort == "controversial":
        where.append("s.controversy > 0")
    backwards = after is not None and after.backwards
    if after is not None:
        where.append(f"({key}, s.track_id) {'>' if backwards else '<'} (%s, %s)")
        params += [after.key, after.track_id]
    return key, where, params, "ASC" if backwards else "DESC"


def _named(sql: str, constants: dict[str, Any]) -> str:
    """Inline the page's constants (numbers, URL parts) as SQL literals; the positional
    parameters stay the filters'."""
    for name, value in constants.items():
        if isinstance(value, float):
            literal = f"{value!r}::float8"
        else:
            literal = "'" + str(value).replace("'", "''").replace("%", "%%") + "'"
        sql = sql.replace(f"{{{name}}}", literal)
    return sql


# ranking_values in SQL (PostgreSQL), in the same order. {names} are the page's constants.
_VALUES_SQL = """s.track_id, t.title, t.preset, t.key, t.camelot, t.tempo_bpm, t.duration_s,
  t.batch_id, to_char(t.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  {url_a} || s.track_id || {url_b}, {mp3_a} || s.track_id || {mp3_b},
  {opus_a} || s.track_id || {opus_b},
  s.crowd_score, s.rating_count,
  s.stars_1, s.stars_2, s.stars_3, s.stars_4, s.stars_5,
  s.mean,
  ((s.rating_sum + {strength} * {prior}) / (s.rating_count + {strength})),
  s.lower_bound,
  s.plays, s.unique_listeners,
  s.listen_through, s.skip_rate,
  s.replays,
  (CASE WHEN s.trend_log = 0 OR s.trend_log - {trend_now} < -700 THEN 0
    ELSE exp(s.trend_log - {trend_now}) END),
  s.controversy"""


# The site-wide mean (the Bayesian prior) moves by a hair per vote; summing every track's
# figures for each page cost more than the page itself at 10,000 tracks, so each process
# reuses it for a few seconds.
PRIOR_TTL_S = 10.0
_prior: tuple[float, float] | None = None


def site_mean_rating() -> float:
    global _prior
    now = time.monotonic()
    if _prior is None or now - _prior[0] > PRIOR_TTL_S:
        _prior = (now, curation_selectors.site_mean_rating())
    return _prior[1]


def trend_clock() -> datetime:
    """Now, to the minute: trending decays continuously, and a page whose figures changed
    every millisecond could never be revalidated with its ETag."""
    return timezone.now().replace(second=0, microsecond=0)


def _moment(value: datetime | str | None) -> str | None:
    """UTC, to the microsecond, as the PostgreSQL path writes it."""
    if isinstance(value, str):  # SQLite hands raw queries its stored text, in UTC
        parsed = parse_datetime(value)
        value = parsed.replace(tzinfo=UTC) if parsed and parsed.tzinfo is None else parsed
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if value else None


@functools.cache
def _url_pattern(name: str, extra: tuple[str, ...]) -> str:
    # reverse() costs ~20 µs; a page of 100 entries needs 300 URLs, so resolve once and fill in.
    return reverse(name, args=[987654321, *extra]).replace("987654321", "{}")


def _url(name: str, pk: int, *extra: str) -> str:
    return _url_pattern(name, extra).format(pk)
