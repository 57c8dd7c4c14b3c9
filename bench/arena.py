"""Arena: how many votes active pair choice needs, against uniform choice, to pin every track's
rating to ±50 points; and how well 3,000 votes recover the true order.

    .venv/bin/python bench/arena.py [--tracks 30] [--runs 5]

Listeners are simulated with hidden true ratings (normal, mean 1000, sd 200 points). Each vote
follows Bradley-Terry on the true ratings; 10% of votes are ties (half a win each) and 5%
"both bad" (left out, as the site does). Both strategies run the site's code
(curation.arena): the fit, the 95% half-widths (normal approximation from the Fisher
information, checked every 25 votes) and, for active choice, next_pair. At the stopping point
the bootstrap (200 resamples) confirms the half-widths. Prints figures, then one JSON line.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

sys.path[0] = str(Path(__file__).resolve().parents[1])

from curation.arena import bradley_terry as bt  # noqa: E402
from curation.arena import pairs  # noqa: E402

TARGET_HALF_WIDTH = 50.0
CHECK_EVERY = 25
REFIT_EVERY = 10
TIE, BOTH_BAD = 0.10, 0.05


def simulate(
    true: np.ndarray, strategy: str, seed: int, *, stop_at_width: bool, max_votes: int
) -> tuple[int, list[bt.Vote], np.ndarray]:
    """Votes until every half-width is within the target (or max_votes); returns the count of
    votes cast (both-bad included: each one cost a listener's time), the kept votes and the
    last fit."""
    rng = np.random.default_rng(seed)
    n = len(true)
    counts = np.zeros((n, n))
    wins = np.zeros((n, n))
    ratings = np.full(n, bt.INITIAL_RATING)
    kept: list[bt.Vote] = []
    cast = 0
    while cast < max_votes:
        if strategy == "active":
            a, b = pairs.next_pair(counts, ratings, rng)
        else:
            a, b = pairs.uniform_pair(n, rng)
        cast += 1
        roll = rng.random()
        if roll < BOTH_BAD:
            continue
        if roll < BOTH_BAD + TIE:
            score = 0.5
        else:
            score = float(rng.random() < bt.win_probability(true[a], true[b]))
        kept.append(bt.Vote(a, b, score))
        counts[a, b] += 1
        counts[b, a] += 1
        wins[a, b] += score
        wins[b, a] += 1 - score
        if cast % REFIT_EVERY == 0:
            ratings = bt.fit(wins, tol=1e-8)
        checking = stop_at_width and cast % CHECK_EVERY == 0
        if checking and pairs.half_widths(counts, ratings).max() <= TARGET_HALF_WIDTH:
            break
    return cast, kept, bt.fit(wins)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracks", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    needed: dict[str, list[int]] = {"active": [], "uniform": []}
    spearman: list[float] = []
    confirmed: list[float] = []
    started = time.perf_counter()
    for run in range(args.runs):
        true = np.random.default_rng(1000 + run).normal(1000, 200, args.tracks)
        for strategy in needed:
            cast, kept, _ = simulate(true, strategy, run, stop_at_width=True, max_votes=50_000)
            needed[strategy].append(cast)
            if strategy == "active":
                _, low, high = bt.bootstrap(kept, args.tracks, resamples=200, seed=run)
                confirmed.append(float(((high - low) / 2).max()))
        _, _, fitted = simulate(true, "active", run, stop_at_width=False, max_votes=3000)
        spearman.append(float(spearmanr(fitted, true).statistic))
        print(
            f"run {run}: active {needed['active'][-1]} votes, uniform {needed['uniform'][-1]}"
            f" votes to ±{TARGET_HALF_WIDTH:.0f} points (bootstrap max half-width at the active"
            f" stop: {confirmed[-1]:.1f}); Spearman after 3,000 active votes {spearman[-1]:.3f}",
            flush=True,
        )
    active, uniform = statistics.mean(needed["active"]), statistics.mean(needed["uniform"])
    print(
        f"mean over {args.runs} runs ({args.tracks} tracks): active {active:.0f} votes, uniform"
        f" {uniform:.0f} ({1 - active / uniform:.0%} fewer); Spearman at 3,000 votes"
        f" {statistics.mean(spearman):.3f}; {time.perf_counter() - started:.0f} s"
    )
    figures = {
        "votes_active": round(active),
        "votes_uniform": round(uniform),
        "spearman_3000": round(statistics.mean(spearman), 3),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
