"""Which pair to ask about next: where one more vote shrinks the uncertainty most.

The uncertainty of the ratings comes from the Fisher information of the Bradley-Terry fit:
each vote between a and b adds p(1 - p)·(e_a - e_b)(e_a - e_b)ᵀ, p being the current estimate
of P(a beats b). One more vote on (a, b) lowers each track's variance by a Sherman-Morrison
step, and the pair chosen is the one that lowers the weighted sum most (weights: the fourth
power of each variance), so the tracks we know least about are asked about first (in the
spirit of Chatbot Arena's active sampling, which shrinks the widest intervals first).
"""

import numpy as np
import numpy.typing as npt

from curation.arena.bradley_terry import SCALE, Matrix, win_probability

Z95 = 1.959964
PRIOR_INFORMATION = 0.01  # keeps the information matrix invertible before any vote


def information(counts: Matrix, ratings: Matrix) -> Matrix:
    """Fisher information of the natural-log strengths, given comparison counts."""
    p = np.asarray(win_probability(ratings[:, None], ratings[None, :]))
    weights = counts * p * (1 - p)
    info = -weights
    np.fill_diagonal(info, 0.0)
    np.fill_diagonal(info, weights.sum(axis=1) - np.diag(weights))
    return np.asarray(info + PRIOR_INFORMATION * np.eye(len(ratings)), dtype=np.float64)


def covariance(counts: Matrix, ratings: Matrix) -> Matrix:
    # Ratings are anchored at their mean, so the covariance lives in the sum-zero subspace.
    n = len(ratings)
    centre = np.eye(n) - 1 / n
    return np.asarray(centre @ np.linalg.inv(information(counts, ratings)) @ centre)


def half_widths(counts: Matrix, ratings: Matrix) -> npt.NDArray[np.float64]:
    """Approximate 95% confidence half-widths in rating points (normal approximation)."""
    variance = np.clip(np.diag(covariance(counts, ratings)), 0.0, None)
    return np.asarray(Z95 * SCALE * np.sqrt(variance), dtype=np.float64)


def next_pair(
    counts: Matrix, ratings: Matrix, rng: np.random.Generator | None = None
) -> tuple[int, int]:
    """The pair (a, b), a < b, whose next vote reduces uncertainty most."""
    n = len(ratings)
    cov = covariance(counts, ratings)
    variance = np.diag(cov)
    a_index, b_index = np.triu_indices(n, k=1)
    p = np.asarray(win_probability(ratings[a_index], ratings[b_index]))
    w = p * (1 - p)
    # Σu for u = e_a - e_b, every pair at once: one column per pair.
    su = cov[:, a_index] - cov[:, b_index]
    usu = variance[a_index] + variance[b_index] - 2 * cov[a_index, b_index]
    # Weighted by the fourth power of each track's variance: the widest intervals first. (A
    # plain sum, or the square, shrank the average but left the widest behind; bench/arena.py.)
    weight = (variance / variance.max()) ** 4
    reduction = (weight[:, None] * su**2).sum(axis=0) * w / (1 + w * usu)
    best = np.flatnonzero(reduction >= reduction.max() * (1 - 1e-9))
    pick = best[0] if rng is None else rng.choice(best)
    return int(a_index[pick]), int(b_index[pick])


def uniform_pair(n: int, rng: np.random.Generator) -> tuple[int, int]:
    a, b = rng.choice(n, size=2, replace=False)
    return int(min(a, b)), int(max(a, b))
