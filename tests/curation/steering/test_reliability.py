"""How far the preference fit trusts each listener's stars (curation.steering.reliability)."""

import random
import statistics

from curation.steering import reliability


def sincere_crowd(rng: random.Random, listeners: int = 50, tracks: int = 100) -> list:
    """Listeners who hear each track as it is, give or take their leaning and their mood."""
    quality = {t: rng.uniform(1.5, 4.5) for t in range(tracks)}
    ratings = []
    for listener in range(listeners):
        leaning = rng.gauss(0, 0.4)
        for track in rng.sample(range(tracks), 30):
            stars = round(quality[track] + leaning + rng.gauss(0, 0.8))
            ratings.append((listener, track, max(1, min(5, stars))))
    return ratings


def test_a_sincere_crowd_keeps_weights_near_one():
    weights = reliability.listener_weights(sincere_crowd(random.Random(1)))
    assert len(weights) == 50
    assert statistics.median(weights.values()) > 0.95
    assert min(weights.values()) > 0.5
    assert max(weights.values()) <= 1.0


def test_a_cohort_that_strays_from_the_crowd_weighs_less():
    """Five stars to every track of one style, one star to the others they hear."""
    rng = random.Random(2)
    ratings = sincere_crowd(rng)
    cohort = range(50, 56)
    for listener in cohort:
        ratings += [(listener, track, 5) for track in range(20)]
        ratings += [(listener, track, 1) for track in range(20, 100) if rng.random() < 0.2]
    weights = reliability.listener_weights(ratings)
    assert max(weights[n] for n in cohort) < 0.3
    assert statistics.median(weights[n] for n in range(50)) > 0.95


def test_no_ratings_no_weights():
    assert reliability.listener_weights([]) == {}


def test_a_track_s_stars_count_each_rating_at_its_listener_s_weight():
    published = [1, 0, 2, 0, 3]  # what the track's figures say: one 1, two 3s, three 5s
    doubted = [(7, 5), (8, 5), (9, 1)]
    counts = reliability.weighted_stars(published, doubted, {7: 0.25, 8: 0.5, 9: 0.0})
    assert counts == [0.0, 0.0, 2.0, 0.0, 1.75]
    assert reliability.weighted_stars(published, [], {}) == [1.0, 0.0, 2.0, 0.0, 3.0]


def test_a_crowd_that_agrees_exactly_keeps_every_weight_and_no_one_vanishes():
    """The median listener misses by nothing: whoever strays still keeps MIN_WEIGHT."""
    ratings = [(listener, track, 4) for listener in range(10) for track in range(10)]
    ratings += [(10, track, 1) for track in range(10)]
    weights = reliability.listener_weights(ratings)
    assert all(weights[n] == 1.0 for n in range(10))
    assert weights[10] == reliability.MIN_WEIGHT
