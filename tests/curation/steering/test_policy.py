"""Steering a batch (issue 12, 2): Thompson sampling from the preference model, the
exploration share, pins, and the same draws for the same data and seed."""

from collections import Counter

import pytest

from curation.steering import policy, services
from generation.composer.presets import PRESETS

pytestmark = pytest.mark.django_db


@pytest.fixture
def fitted(waltzes_win):
    version = services.preference_fit()
    assert version is not None
    return version


def test_steered_slots_follow_the_crowd_and_explorers_keep_every_style(fitted):
    draws = policy.draw_batch(version=fitted, count=20, seed=7)
    steered = [d for d in draws if d.steered]
    assert len(steered) == 16  # 20% explore
    presets = Counter(d.params["preset"] for d in steered)
    assert presets["waltz"] >= 12, presets  # the crowd loves waltzes
    for draw in steered:
        assert draw.policy_version == fitted.pk and draw.predicted is not None
        low, high = PRESETS[draw.params["preset"]].tempo_range
        assert low <= draw.params["tempo_bpm"] <= high
        assert set(draw.sampled) == set(fitted.features)
    # Exploring slots take the presets the steered ones left out: every style is heard.
    exploring = [d.params for d in draws if not d.steered]
    left_out = set(PRESETS) - set(presets)
    assert {p["preset"] for p in exploring} == left_out and len(exploring) == len(left_out)
    assert {d.params["preset"] for d in draws} == set(PRESETS)


def test_explorers_beyond_the_left_out_presets_are_composed_as_today(fitted):
    draws = policy.draw_batch(version=fitted, count=20, seed=7, exploration=0.5)
    steered = {d.params["preset"] for d in draws if d.steered}
    exploring = [d.params for d in draws if not d.steered]
    left_out = set(PRESETS) - steered
    assert sorted(p["preset"] for p in exploring if p) == sorted(left_out)
    assert sum(p == {} for p in exploring) == 10 - len(left_out) > 0


def test_the_same_model_and_seed_give_the_same_batch(fitted):
    first = policy.draw_batch(version=fitted, count=12, seed=3)
    assert first == policy.draw_batch(version=fitted, count=12, seed=3)
    assert first != policy.draw_batch(version=fitted, count=12, seed=4)


@pytest.mark.parametrize("share", [0.0, 0.5, 1.0])
def test_pins_and_the_exploration_share_are_respected(fitted, share):
    pins = {"preset": "celtic_reel", "mode": "minor"}
    draws = policy.draw_batch(version=fitted, count=10, seed=1, exploration=share, pins=pins)
    assert sum(not d.steered for d in draws) == round(10 * share)
    for draw in draws:
        assert draw.params["preset"] == "celtic_reel" and draw.params["mode"] == "minor"


def test_without_a_fitted_model_every_slot_is_composed_as_today():
    draws = policy.draw_batch(version=None, count=5, seed=1, pins={"preset": "waltz"})
    assert [d.steered for d in draws] == [False] * 5
    assert all(d.params == {"preset": "waltz"} for d in draws)
