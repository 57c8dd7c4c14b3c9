"""How the crowd's feedback becomes scores: the formulas, once in Python and once as database
expressions (stored generated columns of TrackStats, so every write keeps them in step and the
rankings can use an index). tests/curation/test_scoring.py holds the two to the same values.

The public page /how-ranking-works/ and the API docs explain these in words.
"""

import math
from collections.abc import Sequence
from datetime import UTC, datetime

from django.db.models import Case, ExpressionWrapper, F, FloatField, Q, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Abs, Cast, Exp, Greatest, Least, Ln, Power, Sqrt

STARS = (1, 2, 3, 4, 5)
# Evan Miller, "Ranking items with star ratings" (2016): a Dirichlet prior of one pseudo-vote
# per star, and z = 1.65 (a one-sided 95% bound).
LCB_Z = 1.65
# The crowd score: stars (the lower bound, scaled to 0-1) weigh most; whether people listen
# through and whether they skip early add what stars miss (many listen without rating).
CROWD_WEIGHTS = {"stars": 0.6, "listen_through": 0.25, "kept": 0.15}
# Listening figures of a track with few listeners are pulled toward neutral values, as if
# SHRINK_LISTENERS more listeners had listened half-way and skipped at the usual rate.
SHRINK_LISTENERS = 5.0
NEUTRAL_LISTEN_THROUGH = 0.5
NEUTRAL_SKIP_RATE = 0.2
# Trending: engagement with exponential time decay (half-life 24 h). Each play weighs 1 and
# each rating stars / 2.5 (1 star: 0.4, 5 stars: 2). Stored as log(sum of w * 2^(t / half-life))
# from a fixed epoch: adding is a log-add, and the order equals the decayed sum's at any time.
TREND_HALF_LIFE_S = 24 * 3600.0
TREND_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
TREND_RATE = math.log(2) / TREND_HALF_LIFE_S
TREND_EMPTY = 0.0  # far below any event's term (those grow by ln 2 a day since the epoch)


# --- Python ---------------------------------------------------------------------------------


def mean(counts: list[int]) -> float | None:
    n = sum(counts)
    return sum(k * c for k, c in zip(STARS, counts, strict=True)) / n if n else None


def bayes(total: int, count: int, *, prior_mean: float, strength: float) -> float:
    """Bayesian average: the mean after `strength` pseudo-votes at the site-wide mean."""
    return (total + strength * prior_mean) / (count + strength)


def lower_bound(counts: Sequence[float]) -> float:
    """Evan Miller's lower bound of the mean star rating (1..5) for a star distribution."""
    n = sum(counts) + len(STARS)
    first = sum(k * (c + 1) for k, c in zip(STARS, counts, strict=True)) / n
    second = sum(k * k * (c + 1) for k, c in zip(STARS, counts, strict=True)) / n
    return first - LCB_Z * math.sqrt(max(second - first * first, 0.0) / (n + 1))


def controversy(counts: list[int]) -> float:
    """Reddit's controversy: many low (1-2) and high (4-5) votes, split evenly."""
    low, high = counts[0] + counts[1], counts[3] + counts[4]
    if not low or not high:
        return 0.0
    return float((low + high) ** (min(low, high) / max(low, high)))


def listen_through(through_sum: float, listeners: int) -> float:
    return (through_sum + SHRINK_LISTENERS * NEUTRAL_LISTEN_THROUGH) / (
        listeners + SHRINK_LISTENERS
    )


def skip_rate(early_skips: int, plays: int) -> float:
    return (early_skips + SHRINK_LISTENERS * NEUTRAL_SKIP_RATE) / (plays + SHRINK_LISTENERS)


def crowd_score(
    counts: Sequence[float], through_sum: float, listeners: int, skips: int, plays: int
) -> float:
    return (
        CROWD_WEIGHTS["stars"] * (lower_bound(counts) - 1) / 4
        + CROWD_WEIGHTS["listen_through"] * listen_through(through_sum, listeners)
        + CROWD_WEIGHTS["kept"] * (1 - skip_rate(skips, plays))
    )


def through(listened_s: float, duration_s: float | None) -> float:
    """One listener's share of the track heard, 0..1 (what listen_through_sum adds up)."""
    return min(1.0, listened_s / duration_s) if duration_s else 0.0


def trend_term(weight: float, at: datetime) -> float:
    return math.log(weight) + TREND_RATE * (at - TREND_EPOCH).total_seconds()


def rating_term(stars: int, at: datetime) -> float:
    """The trend term of a rating of `stars` that entered the figures `at`."""
    return trend_term(rating_weight(stars), at)


def trend_add(log_sum: float, term: float) -> float:
    high, low = max(log_sum, term), min(log_sum, term)
    return high + math.log1p(math.exp(low - high))


def trend_sub(log_sum: float, term: float) -> float:
    """Take back a term added earlier (a withdrawn or replaced rating): log(e^sum - e^term).
    What is left of the sum rounds to empty when the term was all of it."""
    if log_sum - term < 1e-9:
        return TREND_EMPTY
    return log_sum + math.log1p(-math.exp(term - log_sum))


def trend_now(log_sum: float, now: datetime) -> float:
    """The decayed engagement at `now` (plays-equivalent)."""
    if log_sum == TREND_EMPTY:
        return 0.0
    return math.exp(log_sum - TREND_RATE * (now - TREND_EPOCH).total_seconds())


def rating_weight(stars: int) -> float:
    return stars / 2.5


# --- database expressions (for GeneratedField) ---------------------------------------------


def _float(expression: Combinable) -> ExpressionWrapper:
    return ExpressionWrapper(expression, output_field=FloatField())


def _count(k: int) -> Cast:
    return Cast(F(f"stars_{k}"), FloatField())


def _db_lower_bound() -> ExpressionWrapper:
    n = _float(sum((_count(k) for k in STARS[1:]), _count(1)) + Value(float(len(STARS))))
    first = _float(sum(((_count(k) + 1) * k for k in STARS[1:]), (_count(1) + 1) * 1) / n)
    second = _float(sum(((_count(k) + 1) * (k * k) for k in STARS[1:]), _count(1) + 1) / n)
    variance = Greatest(second - first * first, Value(0.0))
    return _float(first - Value(LCB_Z) * Sqrt(variance / (n + 1)))


def db_mean() -> Case:
    return Case(
        When(rating_count=0, then=Value(None)),
        default=_float(Cast(F("rating_sum"), FloatField()) / Cast(F("rating_count"), FloatField())),
        output_field=FloatField(),
    )


def db_lower_bound() -> ExpressionWrapper:
    return _db_lower_bound()


def db_controversy() -> Case:
    low = _float(_count(1) + _count(2))
    high = _float(_count(4) + _count(5))
    return Case(
        When(_both_sides(), then=Power(low + high, Least(low, high) / Greatest(low, high))),
        default=Value(0.0),
        output_field=FloatField(),
    )


def _both_sides() -> Q:
    return (Q(stars_1__gt=0) | Q(stars_2__gt=0)) & (Q(stars_4__gt=0) | Q(stars_5__gt=0))


def db_listen_through() -> ExpressionWrapper:
    return _float(
        (F("listen_through_sum") + Value(SHRINK_LISTENERS * NEUTRAL_LISTEN_THROUGH))
        / (Cast(F("unique_listeners"), FloatField()) + Value(SHRINK_LISTENERS))
    )


def db_skip_rate() -> ExpressionWrapper:
    return _float(
        (Cast(F("skips"), FloatField()) + Value(SHRINK_LISTENERS * NEUTRAL_SKIP_RATE))
        / (Cast(F("plays"), FloatField()) + Value(SHRINK_LISTENERS))
    )


def db_crowd_score() -> ExpressionWrapper:
    return _float(
        Value(CROWD_WEIGHTS["stars"] / 4) * (_db_lower_bound() - Value(1.0))
        + Value(CROWD_WEIGHTS["listen_through"]) * db_listen_through()
        + Value(CROWD_WEIGHTS["kept"]) * (Value(1.0) - db_skip_rate())
    )


def db_trend_add(term: float) -> ExpressionWrapper:
    """trend_add as an UPDATE expression (the same log-add curation_rate does in SQL)."""
    current, added = F("trend_log"), Value(term)
    return _float(
        Greatest(current, added) + Ln(Value(1.0) + Exp(-Least(Abs(current - added), Value(700.0))))
    )
