"""Arena reads: the next pair to ask a listener about, the leaderboard, and the one rule for
when a track's arena interval means something (pages, the API and the producer pages use it)."""

import math
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
from django.db.models import Count

from curation.arena import bradley_terry as bt
from curation.arena import duels, pairs
from curation.models import ArenaRating, ArenaVote, ListenerTrack
from curation.selectors import track_summary
from generation.models import GenerationBatch, Track

# A track's rating and interval are shown once it has this many counted votes AND its 95%
# interval is at most this wide; until then every page says "needs more votes". With fewer
# votes the bootstrap can look deceptively narrow (one vote resampled is that vote every time),
# and an interval wider than 800 points (±400: anywhere from 1 to 10 up to 10 to 1 against an
# average track) says nothing a listener can use; after a batch's first vote it is ~6,000.
MIN_INTERVAL_VOTES = 5
MAX_INTERVAL_WIDTH = 800.0


class Interval(Protocol):
    votes: int
    low: float
    high: float


def arena_interval_is_meaningful(rating: Interval) -> bool:
    """Whether an arena rating (an ArenaRating, or anything with votes, low and high) has
    enough votes and a narrow enough interval to be shown as a number."""
    return rating.votes >= MIN_INTERVAL_VOTES and rating.high - rating.low <= MAX_INTERVAL_WIDTH


def arena_rule_text() -> str:
    """The rule in words, for the pages that show arena ratings."""
    return (
        f"A track's arena rating is shown once it has at least {MIN_INTERVAL_VOTES} counted "
        f"votes and its 95% interval is at most {MAX_INTERVAL_WIDTH:.0f} points wide; until "
        "then it says \u201cneeds more votes\u201d."
    )


def rating_label(value: float) -> str:
    """A rating as a whole number, with a true minus sign (never a hyphen beside a dash)."""
    whole = round(value)
    return f"\u2212{-whole}" if whole < 0 else str(whole)


def arena_interval_label(low: float, high: float) -> str:
    """940 to 1061 joined by an en dash; with a bound below zero, a minus sign and " to "
    instead ("\u221240 to 360"), so a minus never reads as a dash."""
    joint = " to " if round(low) < 0 or round(high) < 0 else "\u2013"
    return f"{rating_label(low)}{joint}{rating_label(high)}"


def arena_next_pair(*, batch_id: int, seed: int | None = None) -> tuple[int, int] | None:
    """The pair of the batch's published tracks whose next vote shrinks the uncertainty
    most (None if the batch has fewer than two); in a duel batch, only its same-parameter
    pairs are offered (curation.arena.duels)."""
    if GenerationBatch.objects.filter(pk=batch_id, duel_candidate__isnull=False).exists():
        return duels.duel_next_pair(batch_id=batch_id, seed=seed)
    track_ids = list(
        Track.objects.filter(batch_id=batch_id, status=Track.Status.READY)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if len(track_ids) < 2:
        return None
    index = {pk: i for i, pk in enumerate(track_ids)}
    counts = np.zeros((len(track_ids), len(track_ids)))
    for row in (
        ArenaVote.objects.filter(track_a_id__in=index, track_b_id__in=index)
        .values("track_a_id", "track_b_id")
        .annotate(n=Count("id"))
    ):
        a, b = index[row["track_a_id"]], index[row["track_b_id"]]
        counts[a, b] += row["n"]
        counts[b, a] += row["n"]
    known = dict(ArenaRating.objects.filter(track_id__in=index).values_list("track_id", "rating"))
    ratings = np.array([known.get(pk, bt.INITIAL_RATING) for pk in track_ids])
    rng = np.random.default_rng(seed)
    a, b = pairs.next_pair(counts, ratings, rng)
    # Which side plays A is random, so position says nothing about the choice.
    first, second = (track_ids[a], track_ids[b])
    return (first, second) if rng.random() < 0.5 else (second, first)


# What the arena shows of a track before the vote: how to play it, never its name.
SIDE_FIELDS = ("id", "audio", "peaks_url", "duration_s")


def arena_sides(
    pair: tuple[int, int] | None, *, listener_id: int | None = None, needed_s: float = 0.0
) -> list[dict[str, Any]]:
    """The pair as the arena page plays it, A then B: each side's audio, peaks and length (so
    the player shows the length before play), not the title, which the vote reveals; and how
    much of it the listener has already heard, in whole seconds up to needed_s (a track met in
    an earlier pair need not be heard again)."""
    if pair is None:
        return []
    tracks = Track.objects.in_bulk(pair)
    heard: dict[int, float] = {}
    if listener_id is not None:
        heard = dict(
            ListenerTrack.objects.filter(listener_id=listener_id, track_id__in=pair).values_list(
                "track_id", "listened_s"
            )
        )
    return [
        {
            "label": label,
            **{k: v for k, v in track_summary(tracks[pk]).items() if k in SIDE_FIELDS},
            "listened_s": heard.get(pk, 0.0),
            "heard_s": min(math.floor(heard.get(pk, 0.0)), math.ceil(needed_s)),
            "heard_share": min(1.0, heard.get(pk, 0.0) / needed_s) if needed_s > 0 else 1.0,
        }
        for label, pk in zip(("A", "B"), pair, strict=True)
    ]


def arena_leaderboard(*, batch_id: int | None = None) -> list[ArenaRating]:
    """Ratings of published tracks: those whose interval means something first, best first;
    then those that need more votes (arena_interval_is_meaningful), by the same order."""
    rows = ArenaRating.objects.filter(track__status=Track.Status.READY).select_related("track")
    if batch_id is not None:
        rows = rows.filter(track__batch_id=batch_id)
    ordered = list(rows.order_by("-rating", "track_id"))
    return sorted(ordered, key=lambda row: not arena_interval_is_meaningful(row))  # stable


def arena_batch(batch_id: int | None) -> int | None:
    """The batch asked for, else the newest with at least two published tracks."""
    batches = (
        Track.objects.filter(status=Track.Status.READY)
        .values("batch_id")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
    )
    if batch_id is not None:
        return batch_id if batches.filter(batch_id=batch_id).exists() else None
    newest = batches.order_by("-batch_id").first()
    return newest["batch_id"] if newest else None


NICE_MANTISSAS = (1.0, 2.0, 2.5, 5.0)
TARGET_TICKS = 5


def axis_ticks(low: float, high: float) -> tuple[float, list[float]]:
    """A "nice" step (1, 2, 2.5 or 5 times a power of ten) and its multiples within
    [low, high], for any span: the step whose tick count is nearest TARGET_TICKS (the larger
    step on a tie)."""
    if not high > low:
        raise ValueError("axis_ticks needs high > low.")
    exponent = math.floor(math.log10((high - low) / TARGET_TICKS))
    candidates = [m * 10.0**k for k in range(exponent - 1, exponent + 2) for m in NICE_MANTISSAS]

    def ticks(step: float) -> list[float]:
        first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
        # Rounded to the step's own precision: 3 * 0.1 is 0.30000000000000004.
        return [round(i * step, _decimals(step)) for i in range(first, last + 1)]

    step = min(candidates, key=lambda s: (abs(len(ticks(s)) - TARGET_TICKS), -s))
    return step, ticks(step)


def _decimals(step: float) -> int:
    """Decimals a multiple of a nice step needs: 0 for 500, 1 for 2.5, 2 for 0.25."""
    exponent = math.floor(math.log10(step) + 1e-9)
    mantissa = step / 10.0**exponent
    return max(0, -exponent + (1 if math.isclose(mantissa, 2.5) else 0))


def tick_label(value: float, step: float) -> str:
    text = f"{abs(value):.{_decimals(step)}f}"
    return f"\u2212{text}" if value < 0 and float(text) != 0 else text


def leaderboard_chart(rows: list[ArenaRating], *, width: int = 640) -> dict[str, Any]:
    """Geometry of the leaderboard plot: one row per track, a dot at its rating and a bar
    across its 95% interval on a shared rating axis; a track that needs more votes gets a
    row with that label and no dot or bar (its interval would squash everyone else's)."""
    if not rows:
        return {"rows": [], "ticks": [], "width": width, "height": 0, "left": 170}
    left, right, row_h = 170, width - 20, 28
    shown = [r for r in rows if arena_interval_is_meaningful(r)]
    low = min((r.low for r in shown), default=0.0)
    high = max((r.high for r in shown), default=0.0)
    if high - low < 1.0:  # one track, or identical bounds: centre it on a narrow axis
        low, high = (low + high) / 2 - 0.5, (low + high) / 2 + 0.5

    def x(value: float) -> float:
        return round(left + (value - low) / (high - low) * (right - left), 1)

    step, ticks = axis_ticks(low, high) if shown else (1.0, [])
    return {
        "width": width,
        "height": len(rows) * row_h + 30,
        "left": left,
        "ticks": [{"x": x(v), "label": tick_label(v, step)} for v in ticks],
        "rows": [_chart_row(r, i * row_h + 14, x) for i, r in enumerate(rows)],
    }


def _chart_row(r: ArenaRating, y: int, x: Callable[[float], float]) -> dict[str, Any]:
    meaningful = arena_interval_is_meaningful(r)
    return {
        "y": y,
        "title": r.track.title or f"Track {r.track_id}",
        "track_id": r.track_id,
        "meaningful": meaningful,
        "x": x(r.rating) if meaningful else None,
        "x_low": x(r.low) if meaningful else None,
        "x_high": x(r.high) if meaningful else None,
        "rating": rating_label(r.rating),
        "low": rating_label(r.low),
        "high": rating_label(r.high),
        "interval": arena_interval_label(r.low, r.high),
        "votes": r.votes,
    }
