"""How far the preference fit trusts each listener's stars: iterative filtering, the
reputation rule of rating systems (Laureti, Moret, Zhang & Yu 2006, "Information filtering via
Iterative Refinement"; de Kerchove & Van Dooren 2010, "Iterative filtering in reputation
systems"). A listener whose stars stray far from what the rest of the crowd gives the same
tracks, again and again, weighs less.

Why the fit needs it, beside the ratings' anomaly test (curation.services.flags): that test
flags a voter only once Fisher's method has enough improbable votes, which for a small
cohort pushing a style takes many batches (bench/steering.py: 6 shills among 56 listeners,
flagged in round 12 of 15). Until then, the style's tracks are rated almost only by the cohort,
because the rest of the crowd skips them, and the model would steer towards them. The
cohort's members agree with each other, but not with the crowd on every other track they
rate, and that is what this weighs.

The rule, repeated ITERATIONS times from every weight 1:
- a rating's expected stars: the other raters' weighted mean for the track, shrunk towards the
  crowd's mean by PRIOR_RATINGS ratings (so a track few others rated expects little);
- a listener's spread: the mean squared difference of their stars from what was expected,
  shrunk towards the crowd's typical spread (the median listener's) by PRIOR_RATINGS ratings,
  so a new listener with a few ratings is typical;
- their weight: typical spread / their spread, at most 1 and at least MIN_WEIGHT. Nobody is
  trusted more than a typical listener, only less: a crowd of sincere listeners keeps weights
  near 1, and the fit then learns from the crowd scores the site publishes.

Flagged and unproven listeners are left out before this (curation.rules.counted_voters)."""

from collections.abc import Sequence

import numpy as np

ITERATIONS = 5
PRIOR_RATINGS = 3.0
# Nobody's stars vanish: a track rated by the doubted alone keeps a figure, and the fit's set
# of tracks is the same whatever the weights (the steering page counts it without them).
MIN_WEIGHT = 0.05


def listener_weights(ratings: Sequence[tuple[int, int, int]]) -> dict[int, float]:
    """Each listener's weight, 0..1, from (listener id, track id, stars) ratings."""
    if not ratings:
        return {}
    listener_ids, listener_at = np.unique([r[0] for r in ratings], return_inverse=True)
    track_ids, track_at = np.unique([r[1] for r in ratings], return_inverse=True)
    stars = np.array([r[2] for r in ratings], dtype=np.float64)
    given = np.bincount(listener_at, minlength=len(listener_ids)).astype(np.float64)
    crowd_mean = float(stars.mean())
    weights = np.ones(len(listener_ids))
    for _ in range(ITERATIONS):
        each = weights[listener_at]
        total = np.bincount(track_at, each, len(track_ids))[track_at] - each
        summed = np.bincount(track_at, each * stars, len(track_ids))[track_at] - each * stars
        expected = (summed + PRIOR_RATINGS * crowd_mean) / (total + PRIOR_RATINGS)
        squared = np.bincount(listener_at, (stars - expected) ** 2, len(listener_ids))
        typical = float(np.median(squared / given))
        spread = (squared + PRIOR_RATINGS * typical) / (given + PRIOR_RATINGS)
        weights = np.where(
            spread <= typical, 1.0, np.maximum(MIN_WEIGHT, typical / np.maximum(spread, 1e-12))
        )
    return dict(zip(listener_ids.tolist(), weights.tolist(), strict=True))


def weighted_stars(
    published: list[int], ratings: Sequence[tuple[int, int]], weights: dict[int, float]
) -> list[float]:
    """A track's star counts (how many gave 1..5, as its figures publish them) with each of
    these (listener id, stars) ratings counted at its listener's weight instead of 1."""
    counts = [float(n) for n in published]
    for listener_id, stars in ratings:
        counts[stars - 1] = max(0.0, counts[stars - 1] - (1.0 - weights.get(listener_id, 1.0)))
    return counts
