"""Anomalous arena voters, found as Chatbot Arena does: each of a voter's votes gets a p-value
under the fitted Bradley-Terry model (how likely an outcome at least that surprising was),
and Fisher's method combines them: -2·Σ ln p follows χ² with 2k degrees of freedom when the
votes are sincere. A voter whose combined p-value falls below ALPHA is flagged."""

import math

from scipy.stats import chi2

from curation.arena import bradley_terry as bt

ALPHA = 1e-3
MIN_VOTES = 5
# More verdicts than this from one listener on one pair (only the latest counts) is stuffing.
MAX_REPEATS = 3


def vote_p_value(rating_a: float, rating_b: float, score: float) -> float:
    """The model's probability of the observed winner (a tie is never surprising)."""
    if score == 0.5:
        return 1.0
    p_a = float(bt.win_probability(rating_a, rating_b))
    return p_a if score == 1.0 else 1.0 - p_a


def combined_p_value(p_values: list[float]) -> float:
    """Fisher's method."""
    statistic = -2.0 * sum(math.log(max(p, 1e-300)) for p in p_values)
    return float(chi2.sf(statistic, 2 * len(p_values)))


def is_anomalous(p_values: list[float]) -> tuple[bool, float]:
    if len(p_values) < MIN_VOTES:
        return False, 1.0
    combined = combined_p_value(p_values)
    return combined < ALPHA, combined
