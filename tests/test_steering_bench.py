"""bench/steering.py --quick, as CI runs it: crowds prove themselves by listening, rate
through the services, a preference model is fitted and steers batches, and the JSON line
carries every figure of issue 12's benchmark."""

import pytest

from tests.benches import run_bench

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("postgres_required")]

KEYS = (
    "regret_ratio",
    "last_round_gain_stars",
    "drift_recovery_rounds",
    "presets_kept",
    "shill_shift_stars",
    "tuned_model_win_rate",
    "steer_overhead_s_per_track",
)


def test_a_quick_run_steers_batches_from_the_crowd_it_simulates(composer_model_dir):
    figures = run_bench(
        "steering.py", "--quick", "--model-dir", str(composer_model_dir), timeout=1200
    )
    assert set(KEYS) <= set(figures) and set(KEYS) == set(figures["targets"]), figures
    assert figures["rendered"] is False
    # Every listener of every crowd (shills too) proved themselves by listening, and their
    # ratings counted.
    proven = figures["listeners_proven"]
    assert proven[:-1] == [figures["listeners"]] * (len(proven) - 1), figures
    assert proven[-1] == figures["listeners"] + figures["shills"]["shills"], figures
    assert figures["ratings_counted"] > figures["listens"] / 4, figures
    # Each crowd's ratings fitted a model that steered its later batches.
    for name in ("linear", "interaction", "peaked"):
        taste = figures["tastes"][name]
        assert taste["first_steered_round"] is not None, taste
        assert 0 < taste["regret_ratio"] < 10, taste
        assert len(taste["steered_by_round"]) == figures["rounds"], taste
    # The melodic crowd approved tracks, a candidate was tuned on them, and the pairs of the
    # two versions were judged.
    tuned = figures["tuned"]
    assert tuned["approved_tracks"] > 0 and tuned["tuned_tracks"] > 0, tuned
    assert tuned["pairs"] > 0 and 0 <= figures["tuned_model_win_rate"] <= 1, tuned
    assert figures["targets"]["tuned_model_win_rate"] in (True, False)
    # Reranking's cost: the last steered batch composed again as the best of 8 and as one.
    overhead = figures["steer_overhead"]
    assert overhead["tracks"] > 0 and overhead["compose_k8_s"] > overhead["compose_k1_s"] > 0
    assert figures["steer_overhead_s_per_track"] == overhead["s_per_track"]
    assert figures["targets_met"] is False
