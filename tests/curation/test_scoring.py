"""The scoring formulas: worked examples from the published formulas, and the database's
generated columns agreeing with the Python ones."""

import math
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curation import scoring
from curation.models import TrackStats
from tests.factories import ReadyTrackFactory


def evan_miller_starsort(ns: list[int]) -> float:
    """Evan Miller's published code ("Ranking items with star ratings"), counts listed from
    the highest star down, as he writes it."""
    n_total = sum(ns)
    k = len(ns)
    s = list(range(k, 0, -1))
    s2 = [sk**2 for sk in s]
    z = 1.65

    def f(s: list[int], ns: list[int]) -> float:
        return sum(sk * (nk + 1) for sk, nk in zip(s, ns, strict=True)) / (sum(ns) + k)

    fsns = f(s, ns)
    return fsns - z * math.sqrt((f(s2, ns) - fsns**2) / (n_total + k + 1))


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # No votes: the prior alone, mean 3 and variance 2 over 5 pseudo-votes.
        ([0, 0, 0, 0, 0], 3 - 1.65 * math.sqrt(2 / 6)),
        # Ten 5-star votes: mean 65/15, second moment 305/15, 16 in the denominator.
        ([0, 0, 0, 0, 10], 65 / 15 - 1.65 * math.sqrt((305 / 15 - (65 / 15) ** 2) / 16)),
    ],
)
def test_lower_bound_matches_worked_examples(counts, expected):
    assert scoring.lower_bound(counts) == pytest.approx(expected, abs=1e-12)
    assert round(scoring.lower_bound([0, 0, 0, 0, 0]), 4) == 2.0474
    assert round(scoring.lower_bound([0, 0, 0, 0, 10]), 4) == 3.8189


@given(st.lists(st.integers(0, 500), min_size=5, max_size=5))
def test_lower_bound_is_evan_millers_formula(counts):
    assert scoring.lower_bound(counts) == pytest.approx(evan_miller_starsort(counts[::-1]))


def test_the_lower_bound_prefers_many_good_votes_to_a_few_perfect_ones():
    assert scoring.lower_bound([0, 0, 0, 20, 80]) > scoring.lower_bound([0, 0, 0, 0, 2])
    assert scoring.lower_bound([0, 0, 0, 0, 2]) > scoring.lower_bound([0, 0, 0, 0, 0])


def test_bayesian_average_pulls_few_votes_to_the_site_mean():
    # One 5-star vote with 5 pseudo-votes at a site mean of 3: (5 + 15) / 6.
    assert scoring.bayes(5, 1, prior_mean=3.0, strength=5) == pytest.approx(20 / 6)
    assert scoring.bayes(500, 100, prior_mean=3.0, strength=5) == pytest.approx(515 / 105)


def test_controversy_needs_both_sides_and_grows_with_balance():
    assert scoring.controversy([10, 0, 5, 0, 0]) == 0.0
    assert scoring.controversy([5, 0, 0, 0, 5]) == pytest.approx(10.0)  # 10 ** (5 / 5)
    assert scoring.controversy([9, 0, 0, 0, 1]) == pytest.approx(10 ** (1 / 9))
    assert scoring.controversy([5, 0, 0, 0, 5]) > scoring.controversy([9, 0, 0, 0, 1])


def test_trend_ranks_like_the_decayed_sum_and_halves_in_a_day():
    now = scoring.TREND_EPOCH + timedelta(days=300)
    old = scoring.trend_add(scoring.TREND_EMPTY, scoring.trend_term(10, now - timedelta(days=2)))
    new = scoring.trend_add(scoring.TREND_EMPTY, scoring.trend_term(3, now))
    # 10 plays two days ago decay to 2.5: fewer than 3 plays now.
    assert scoring.trend_now(old, now) == pytest.approx(2.5)
    assert scoring.trend_now(new, now) == pytest.approx(3.0)
    assert new > old
    both = scoring.trend_add(old, scoring.trend_term(3, now))
    assert scoring.trend_now(both, now) == pytest.approx(5.5)
    assert scoring.trend_now(both, now + timedelta(days=1)) == pytest.approx(2.75)


stat_rows = st.fixed_dictionaries(
    {
        **{f"stars_{k}": st.integers(0, 10_000) for k in scoring.STARS},
        "plays": st.integers(0, 10_000),
        "skips": st.integers(0, 100),
        "unique_listeners": st.integers(0, 1000),
        "listen_through_sum": st.floats(0, 1000),
    }
)


@pytest.mark.django_db
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(row=stat_rows)
def test_generated_columns_equal_the_python_formulas(row):
    counts = [row[f"stars_{k}"] for k in scoring.STARS]
    n = sum(counts)
    row["listen_through_sum"] = min(row["listen_through_sum"], row["unique_listeners"])
    row["skips"] = min(row["skips"], row["plays"])
    track = ReadyTrackFactory.create()
    TrackStats.objects.update_or_create(
        track=track,
        defaults={
            **row,
            "rating_count": n,
            "rating_sum": sum(k * c for k, c in zip(scoring.STARS, counts, strict=True)),
        },
    )
    stats = TrackStats.objects.get(track=track)
    assert stats.mean == (pytest.approx(scoring.mean(counts)) if n else None)
    assert stats.lower_bound == pytest.approx(scoring.lower_bound(counts))
    assert stats.controversy == pytest.approx(scoring.controversy(counts))
    through, listeners = row["listen_through_sum"], row["unique_listeners"]
    assert stats.listen_through == pytest.approx(scoring.listen_through(through, listeners))
    assert stats.skip_rate == pytest.approx(scoring.skip_rate(row["skips"], row["plays"]))
    expected = scoring.crowd_score(counts, through, listeners, row["skips"], row["plays"])
    assert stats.crowd_score == pytest.approx(expected)
