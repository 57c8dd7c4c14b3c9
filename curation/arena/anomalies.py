"""The arena's part of the anomaly test (curation.anomalies): each verdict's p-value under
the fitted Bradley-Terry model, and repeated verdicts on one pair."""

from curation.arena import bradley_terry as bt

# More verdicts than this from one listener on one pair (only the latest counts) is stuffing.
MAX_REPEATS = 3


def vote_p_value(rating_a: float, rating_b: float, score: float) -> float:
    """The model's probability of the observed winner (a tie is never surprising)."""
    if score == 0.5:
        return 1.0
    p_a = float(bt.win_probability(rating_a, rating_b))
    return p_a if score == 1.0 else 1.0 - p_a
