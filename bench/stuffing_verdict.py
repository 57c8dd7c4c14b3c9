"""Reading the crowd's verdict for bench/stuffing.py: the public rankings before and after an
attack, the order with the attacked tracks' figures put back, rank changes, Spearman's rho, and
the arena order the server's fit gives without one listener."""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.clients import Client  # noqa: E402
from bench.stuffing_crowd import db_rows  # noqa: E402
from curation import scoring  # noqa: E402
from curation.arena import bradley_terry as bt  # noqa: E402
from curation.arena.services import SCORES  # noqa: E402

Board = dict[str, dict[int, float]]  # sort -> track -> value (arena: minus its rank)


def board(client: Client) -> Board:
    figures: Board = {}
    for sort, key in (("top", "crowd_score"), ("trending", "trending"), ("arena", None)):
        body = client.call("api", "GET", f"/api/v1/rankings/?sort={sort}&page_size=100") or {}
        entries = body.get("results", [])
        figures[sort] = {e["track"]["id"]: (e[key] if key else -i) for i, e in enumerate(entries)}
        if sort == "top":
            figures["plays"] = {e["track"]["id"]: e["listening"]["plays"] for e in entries}
            figures["ratings"] = {e["track"]["id"]: e["ratings"]["count"] for e in entries}
    figures["at"] = {0: time.time() // 60 * 60}  # trending's clock is the minute
    return figures


def order(values: dict[int, float]) -> list[int]:
    return sorted(values, key=lambda t: (-values[t], -t))


def counterfactual(before: Board, after: Board, sort: str, touched: set[int]) -> dict[int, float]:
    """The after figures, with the attacked tracks' own as they were before (trending decayed
    to the later minute)."""
    decay = 1.0
    if sort == "trending":
        decay = math.exp(-scoring.TREND_RATE * (after["at"][0] - before["at"][0]))
    return {t: before[sort][t] * decay if t in touched else v for t, v in after[sort].items()}


def rank_change(before: Board, after: Board, sort: str, touched: set[int]) -> int:
    seen, honest_order = order(after[sort]), order(counterfactual(before, after, sort, touched))
    return max((abs(seen.index(t) - honest_order.index(t)) for t in seen), default=0)


def spearman_top10(honest_order: list[int], seen: list[int]) -> float:
    """Spearman's rho between two orders over the tracks either puts in its top 10."""
    items = sorted(set(honest_order[:10]) | set(seen[:10]), key=honest_order.index)
    theirs = sorted(items, key=seen.index)
    n = len(items)
    d2 = sum((i - theirs.index(t)) ** 2 for i, t in enumerate(items))
    return round(1 - 6 * d2 / (n * (n * n - 1)), 3)


def effect(before: Board, after: Board, target: int, touched: set[int]) -> dict[str, Any]:
    return {
        "target": target,
        "top_rank_before": order(before["top"]).index(target) + 1,
        "top_rank_after": order(after["top"]).index(target) + 1,
        "top_rank_change": rank_change(before, after, "top", touched),
        "trending_rank_change": rank_change(before, after, "trending", touched),
        "crowd_score_change": round(after["top"][target] - before["top"][target], 5),
        # What the target's figures took in: one honest listener adds 1 and 1.
        "plays_added": after["plays"][target] - before["plays"][target],
        "ratings_added": after["ratings"][target] - before["ratings"][target],
    }


CHANGES = ("top_rank_change", "trending_rank_change", "crowd_score_change")


def arena_order_without(listener: int, tracks: list[int]) -> list[int]:
    """The arena order the server's fit gives the verdicts that count (the same rules:
    latest per pair, not "both bad", voter proven and not flagged), leaving one listener
    out."""
    rows = db_rows(
        "SELECT v.track_a_id, v.track_b_id, v.outcome FROM curation_arenavote v"
        " JOIN curation_listener l ON l.id = v.listener_id"
        " LEFT JOIN curation_voterflag f ON f.listener_id = v.listener_id"
        " WHERE NOT v.replaced AND v.outcome <> 'both_bad' AND f.listener_id IS NULL"
        f" AND l.proven_at IS NOT NULL AND v.listener_id <> {int(listener)}"
    )
    index = {t: i for i, t in enumerate(sorted(tracks))}
    votes = [bt.Vote(index[a], index[b], SCORES[outcome]) for a, b, outcome in rows]
    ratings = bt.fit(bt.win_matrix(votes, len(index)))
    return order({t: float(ratings[i]) for t, i in index.items()})
