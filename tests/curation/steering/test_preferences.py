"""The crowd's preference model (issue 12, 1): what it learns from, what it predicts, and the
versions it stores."""

import random

import pytest

from curation.models import Listener, Rating
from curation.services import ratings
from curation.services.flags import voter_flag
from curation.steering import services
from curation.tasks import fit_preferences
from generation.features import NAMES, track_features
from tests.curation.helpers import listen
from tests.curation.steering.conftest import composed, crowd_gives, in_range
from tests.factories import ListenerFactory

pytestmark = pytest.mark.django_db


def effect(version, name: str) -> tuple[float, float]:
    """A feature's effect on the crowd score per standard deviation, with its 95% interval
    half-width."""
    i = version.features.index(name)
    sd = (version.noise * version.covariance[i][i]) ** 0.5
    return version.coefficients[i], 1.96 * sd


def test_it_learns_what_this_crowd_likes_with_intervals(waltzes_win):
    version = services.preference_fit()
    assert version is not None and version.features == NAMES
    assert version.samples + version.held_out == 60 and version.held_out > 0
    waltz, width = effect(version, "preset:waltz")
    assert waltz - width > 0  # credibly better than the baseline (the reel)
    tempo, width = effect(version, "tempo_bpm")
    assert tempo - width < 0 < tempo + width  # no credible tempo effect: there is none

    # Calibration: predicted against actual on tracks it did not see.
    calibration = version.calibration
    assert len(calibration["points"]) == version.held_out
    assert calibration["mean_abs_error"] < 0.1
    assert calibration["coverage90"] >= 0.6
    reel, liked = (
        next(p for p in calibration["points"] if (t.pk == p["track"]))
        for t in (
            next(t for t in waltzes_win if t.preset == "celtic_reel" and t.pk % 5 == 0),
            next(t for t in waltzes_win if t.preset == "waltz" and t.pk % 5 == 0),
        )
    )
    assert liked["predicted"] > reel["predicted"]


def test_the_same_figures_give_the_same_fit(waltzes_win):
    first, second = services.preference_fit(), services.preference_fit()
    assert first is not None and second is not None and first.pk != second.pk
    assert first.coefficients == second.coefficients
    assert first.calibration == second.calibration


def test_ratings_that_do_not_count_do_not_move_it(waltzes_win):
    """A new identity's ratings (not proven) and a flagged voter's are left out of the
    figures the model learns from."""
    before = services.preference_fit()
    reels = [t for t in waltzes_win if t.preset == "celtic_reel"][:6]
    newcomer = ListenerFactory.create(proven_at=None)
    flagged = ListenerFactory.create()
    voter_flag(listener_id=flagged.pk, reason="ratings", p_value=0.0, votes=5)
    for listener in (newcomer, flagged):
        for track in reels:
            listen(listener, track, 25, session=f"s{track.pk}")
            assert (
                ratings.rating_submit(listener_id=listener.pk, track_id=track.pk, stars=5).counted
                is False
            )
    after = services.preference_fit()
    assert after is not None and before is not None
    assert after.coefficients == before.coefficients
    assert Listener.objects.count() == 2


def test_too_few_rated_tracks_fit_nothing():
    rng = random.Random(1)
    for _ in range(10):
        crowd_gives(composed("waltz", 100.0, rng), [4, 5])
    assert services.preference_fit() is None
    assert fit_preferences() is None


def test_a_cohort_pushing_a_style_the_crowd_skips_does_not_steer_the_fit():
    """Four unflagged listeners give five stars to every chorale and one star to the waltzes
    they hear; the other twenty like waltzes and skip chorales (one of them rates each, low).
    The chorales' ratings are mostly the cohort's, but the cohort strays from the crowd on
    every waltz, so its stars weigh less (curation.steering.reliability) and the fit still
    prefers waltzes. Before that weighing the fit preferred chorales."""
    rng = random.Random(5)
    crowd = ListenerFactory.create_batch(20)
    cohort = ListenerFactory.create_batch(4)
    given: list[Rating] = []
    tracks = []
    for n in range(50):
        preset = "waltz" if n % 2 else "chorale"
        track = composed(preset, in_range(preset, rng), rng)
        if preset == "waltz":
            raters = [(who, round(rng.gauss(3.8, 0.6))) for who in rng.sample(crowd, 10)]
            raters += [(who, 1) for who in cohort if rng.random() < 0.4]
        else:
            raters = [(who, 2) for who in rng.sample(crowd, 1)]
            raters += [(who, 5) for who in cohort]
        raters = [(who, max(1, min(5, s))) for who, s in raters]
        given += [Rating(listener=who, track=track, stars=s) for who, s in raters]
        stars = [s for _, s in raters]
        crowd_gives(track, stars)
        tracks.append(track)
    Rating.objects.bulk_create(given)
    version = services.preference_fit()
    assert version is not None

    def predicted(preset: str) -> float:
        chosen = [t for t in tracks if t.preset == preset]
        return sum(
            services.preference_predict(version, track_features_of(t))[0] for t in chosen
        ) / len(chosen)

    assert predicted("waltz") > predicted("chorale")


def track_features_of(track) -> list[float]:
    features = track_features(
        preset=track.preset,
        resolved=track.resolved_params,
        energy=track.energy,
        metrics=track.metrics,
    )
    assert features is not None
    return features
