"""Insincere voters, found as Chatbot Arena finds them: each of a voter's votes gets a p-value
(how likely a vote at least that surprising was, had they voted sincerely), and Fisher's
method combines them: -2·Σ ln p follows χ² with 2k degrees of freedom when the votes are
sincere. A voter whose combined p-value falls below ALPHA is flagged (curation.services.flags).

The arena's p-values come from the fitted Bradley-Terry model (curation.arena.anomalies);
a rating's from the rest of the crowd's stars for the track (rating_p_value)."""

import math
from collections.abc import Sequence

from scipy.stats import chi2

from curation import scoring

ALPHA = 1e-3
# Fewer votes than this say too little about a voter to judge them.
MIN_VOTES = 5


def combined_p_value(p_values: Sequence[float]) -> float:
    """Fisher's method."""
    statistic = -2.0 * sum(math.log(max(p, 1e-300)) for p in p_values)
    return float(chi2.sf(statistic, 2 * len(p_values)))


def is_anomalous(p_values: Sequence[float]) -> tuple[bool, float]:
    if len(p_values) < MIN_VOTES:
        return False, 1.0
    combined = combined_p_value(p_values)
    return combined < ALPHA, combined


def rating_p_value(stars: int, others: Sequence[int]) -> float:
    """How surprising `stars` is beside the rest of the crowd's ratings of the track
    (`others`: how many gave 1 to 5 stars, this voter left out): the share of the crowd's
    stars at least as far from their mean, counting one more of each star, so that a track
    few have rated surprises nobody. Stars equally far count, so the test errs towards
    sincere."""
    counts = [n + 1 for n in others]
    mean = scoring.mean(counts)
    assert mean is not None  # never empty: one of each
    far = abs(stars - mean) - 1e-9
    surprising = sum(n for k, n in zip(scoring.STARS, counts, strict=True) if abs(k - mean) >= far)
    return surprising / sum(counts)
