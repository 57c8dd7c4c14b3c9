"""Arena reads: the next pair to ask a listener about, and the leaderboard."""

from typing import Any

import numpy as np
from django.db.models import Count, QuerySet

from curation.arena import bradley_terry as bt
from curation.arena import pairs
from curation.models import ArenaRating, ArenaVote
from generation.models import Track


def arena_next_pair(*, batch_id: int, seed: int | None = None) -> tuple[int, int] | None:
    """The pair of the batch's published tracks whose next vote shrinks the uncertainty
    most (None if the batch has fewer than two)."""
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


def arena_leaderboard(*, batch_id: int | None = None) -> QuerySet[ArenaRating]:
    rows = ArenaRating.objects.filter(track__status=Track.Status.READY).select_related("track")
    if batch_id is not None:
        rows = rows.filter(track__batch_id=batch_id)
    return rows.order_by("-rating", "track_id")


def leaderboard_entry(row: ArenaRating) -> dict[str, Any]:
    return {
        "track": {"id": row.track_id, "title": row.track.title, "batch": row.track.batch_id},
        "rating": round(row.rating, 1),
        "ci95": [round(row.low, 1), round(row.high, 1)],
        "votes": row.votes,
    }


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


def leaderboard_chart(rows: list[ArenaRating], *, width: int = 640) -> dict[str, Any]:
    """Geometry of the leaderboard plot: one row per track, a dot at its rating and a bar
    across its 95% interval, on a shared rating axis."""
    if not rows:
        return {"rows": [], "ticks": [], "width": width, "height": 0}
    low = min(r.low for r in rows)
    high = max(r.high for r in rows)
    span = max(high - low, 1.0)
    left, right, row_h = 170, width - 20, 28

    def x(value: float) -> float:
        return round(left + (value - low) / span * (right - left), 1)

    step = next(s for s in (10, 25, 50, 100, 200, 500) if span / s <= 6)
    first = int(low // step + 1) * step
    return {
        "width": width,
        "height": len(rows) * row_h + 30,
        "left": left,
        "ticks": [{"x": x(v), "label": v} for v in range(first, int(high) + 1, step)],
        "rows": [
            {
                "y": i * row_h + 14,
                "title": r.track.title or f"Track {r.track_id}",
                "track_id": r.track_id,
                "x": x(r.rating),
                "x_low": x(r.low),
                "x_high": x(r.high),
                "rating": round(r.rating),
                "low": round(r.low),
                "high": round(r.high),
                "votes": r.votes,
            }
            for i, r in enumerate(rows)
        ],
    }
