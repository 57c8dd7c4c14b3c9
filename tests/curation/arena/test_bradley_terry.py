"""Bradley-Terry: the fit is the maximum-likelihood estimate, ties are half wins, and the
bootstrap intervals behave; the active pair choice asks about what is least known."""

import numpy as np
import pytest
from scipy.optimize import minimize

from curation import anomalies
from curation.arena import anomalies as arena_anomalies
from curation.arena import bradley_terry as bt
from curation.arena import pairs

# A fixed, connected set of results among four tracks (no track unbeaten or winless).
RESULTS = [(0, 1, 7, 3), (0, 2, 6, 4), (0, 3, 8, 2), (1, 2, 5, 5), (1, 3, 6, 4), (2, 3, 4, 6)]


def fixed_votes() -> list[bt.Vote]:
    votes = []
    for a, b, a_wins, b_wins in RESULTS:
        votes += [bt.Vote(a, b, 1.0)] * a_wins + [bt.Vote(a, b, 0.0)] * b_wins
    return votes


def direct_mle(wins: np.ndarray) -> np.ndarray:
    """The textbook fit: minimise the negative log-likelihood over log-strengths."""
    n = len(wins)

    def nll(theta: np.ndarray) -> float:
        diff = theta[:, None] - theta[None, :]
        return float(np.sum(wins * np.log1p(np.exp(-diff))))

    theta = minimize(nll, np.zeros(n), method="BFGS", options={"gtol": 1e-10}).x
    theta -= theta.mean()
    return bt.INITIAL_RATING + bt.SCALE * theta


def test_the_fit_matches_a_direct_maximum_likelihood_fit():
    wins = bt.win_matrix(fixed_votes(), 4)
    assert bt.fit(wins, prior_games=0.0) == pytest.approx(direct_mle(wins), abs=1e-3)
    # Track 0 won most, and ratings are centred on the initial rating.
    ratings = bt.fit(wins, prior_games=0.0)
    assert ratings.argmax() == 0 and ratings.mean() == pytest.approx(bt.INITIAL_RATING)


def test_a_tie_counts_half_a_win_to_each_side():
    tie = bt.win_matrix([bt.Vote(0, 1, 0.5)], 2)
    assert tie.tolist() == [[0.0, 0.5], [0.5, 0.0]]
    one_each = bt.win_matrix([bt.Vote(0, 1, 1.0), bt.Vote(0, 1, 0.0)], 2)
    assert np.array_equal(one_each, 2 * tie)


def test_the_rating_difference_predicts_the_win_rate():
    wins = np.array([[0.0, 75.0], [25.0, 0.0]])
    a, b = bt.fit(wins, prior_games=0.0)
    assert bt.win_probability(a, b) == pytest.approx(0.75, abs=1e-6)
    assert a - b == pytest.approx(400 * np.log10(3), abs=1e-3)  # odds 3:1 = 190.8 points


def test_an_unbeaten_track_stays_finite_with_the_prior():
    ratings = bt.fit(np.array([[0.0, 5.0], [0.0, 0.0]]))
    assert np.all(np.isfinite(ratings)) and ratings[0] > ratings[1]


def test_bootstrap_intervals_hold_the_fit_shrink_with_data_and_repeat():
    votes = fixed_votes()
    ratings, low, high = bt.bootstrap(votes, 4, resamples=300, seed=1)
    assert np.all(low <= ratings) and np.all(ratings <= high)
    _, low4, high4 = bt.bootstrap(votes * 4, 4, resamples=300, seed=1)
    assert np.all(high4 - low4 < high - low)
    again = bt.bootstrap(votes, 4, resamples=300, seed=1)
    assert np.array_equal(again[1], low) and np.array_equal(again[2], high)


def test_the_next_pair_brings_in_a_track_nobody_has_compared():
    n = 5
    counts = np.zeros((n, n))
    for a in range(4):
        for b in range(a + 1, 4):
            counts[a, b] = counts[b, a] = 20
    ratings = np.full(n, bt.INITIAL_RATING)
    assert 4 in pairs.next_pair(counts, ratings)
    widths = pairs.half_widths(counts, ratings)
    assert widths[4] > 3 * widths[:4].max()


def test_the_next_pair_asks_about_the_least_known_track_against_its_closest_rival():
    # Equal counts: the outsider's lopsided results told least, so it is asked about next,
    # against the rival nearest its rating (the vote whose outcome is least foregone).
    counts = np.full((3, 3), 10.0) - 10 * np.eye(3)
    ratings = np.array([1000.0, 1010.0, 1600.0])
    widths = pairs.half_widths(counts, ratings)
    assert widths.argmax() == 2
    assert pairs.next_pair(counts, ratings) == (1, 2)


def test_fishers_method_combines_p_values():
    # -2 (ln 0.01 + ln 0.01) = 18.42 on 4 degrees of freedom: p = 0.00102.
    assert anomalies.combined_p_value([0.01, 0.01]) == pytest.approx(0.00102, abs=2e-5)
    assert anomalies.combined_p_value([0.5] * 10) > 0.5
    assert anomalies.is_anomalous([0.01] * 4) == (False, 1.0)  # too few votes to judge
    assert anomalies.is_anomalous([0.05] * 8)[0]
    assert arena_anomalies.vote_p_value(1400.0, 1000.0, 0.0) == pytest.approx(1 / 11)  # upset
    assert arena_anomalies.vote_p_value(1400.0, 1000.0, 0.5) == 1.0
