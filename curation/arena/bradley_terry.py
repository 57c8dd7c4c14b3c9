"""Bradley-Terry strengths from pairwise votes, on the Elo-like scale Chatbot Arena uses.

P(a beats b) = 1 / (1 + 10^((R_b - R_a) / 400)). A tie counts as half a win for each side;
"both bad" votes are left out before fitting. The fit is the maximum-likelihood estimate by
Hunter's MM algorithm (2004), anchored so the mean rating is INITIAL_RATING; a tiny prior
(PRIOR_GAMES draws against an average opponent) keeps an unbeaten or winless track finite.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

SCALE = 400 / np.log(10)  # natural-log strength to rating points
INITIAL_RATING = 1000.0
PRIOR_GAMES = 0.1
Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Vote:
    a: int  # index of the first track
    b: int
    score: float  # 1: a better, 0: b better, 0.5: tie


def win_matrix(votes: list[Vote], n: int) -> Matrix:
    """wins[i, j]: how often i beat j (ties count half to each)."""
    wins = np.zeros((n, n))
    for vote in votes:
        wins[vote.a, vote.b] += vote.score
        wins[vote.b, vote.a] += 1 - vote.score
    return wins


def fit(wins: Matrix, *, prior_games: float = PRIOR_GAMES, tol: float = 1e-10) -> Matrix:
    """Ratings (mean INITIAL_RATING) maximising the likelihood of `wins` (plus the prior)."""
    n = len(wins)
    games = wins + wins.T
    # The prior: each track drew prior_games against every other, spread evenly.
    prior = prior_games / max(n - 1, 1)
    wins = wins + prior / 2 * (1 - np.eye(n))
    games = games + prior * (1 - np.eye(n))
    total_wins = wins.sum(axis=1)
    strength = np.ones(n)
    for _ in range(10_000):
        pair_sums = strength[:, None] + strength[None, :]
        updated = total_wins / (games / pair_sums).sum(axis=1)
        updated /= np.exp(np.log(updated).mean())
        if np.max(np.abs(updated - strength)) < tol:
            strength = updated
            break
        strength = updated
    return np.asarray(INITIAL_RATING + SCALE * np.log(strength), dtype=np.float64)


def bootstrap(
    votes: list[Vote], n: int, *, resamples: int = 1000, seed: int = 0
) -> tuple[Matrix, Matrix, Matrix]:
    """Ratings, and the 2.5th and 97.5th percentiles of `resamples` fits to votes drawn with
    replacement: the 95% confidence intervals."""
    ratings = fit(win_matrix(votes, n))
    if not votes:
        return ratings, ratings.copy(), ratings.copy()
    rng = np.random.default_rng(seed)
    a = np.array([v.a for v in votes])
    b = np.array([v.b for v in votes])
    score = np.array([v.score for v in votes])
    fits = np.empty((resamples, n))
    for r in range(resamples):
        pick = rng.integers(0, len(votes), len(votes))
        wins = np.zeros((n, n))
        np.add.at(wins, (a[pick], b[pick]), score[pick])
        np.add.at(wins, (b[pick], a[pick]), 1 - score[pick])
        fits[r] = fit(wins, tol=1e-7)
    low, high = np.percentile(fits, [2.5, 97.5], axis=0)
    return ratings, low, high


def win_probability(rating_a: float | Matrix, rating_b: float | Matrix) -> float | Matrix:
    return 1 / (1 + 10 ** ((rating_b - rating_a) / 400))
