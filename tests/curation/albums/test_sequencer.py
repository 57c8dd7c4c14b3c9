"""The sequencer: harmonic moves where the set allows, cheaper than greedy, deterministic,
pins respected, every transition explained."""

import itertools
import random

import pytest

from curation.albums import sequencer as sq


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        ("8A", "8A", "same key"),
        ("8A", "9A", "neighbours"),
        ("12B", "1B", "neighbours"),  # the wheel wraps
        ("8A", "8B", "relative major/minor"),
        ("8A", "10A", "key clash (2 steps)"),
        ("3A", "9B", "key clash (6 steps)"),
    ],
)
def test_key_moves_follow_the_camelot_wheel(a, b, kind):
    cost, why = sq.key_move(a, b)
    assert kind in why
    assert sq.compatible(a, b) == (cost <= sq.RELATIVE)


def random_set(n: int, seed: int) -> list[sq.Item]:
    rng = random.Random(seed)
    return [
        sq.Item(i, f"{rng.randint(1, 12)}{rng.choice('AB')}", rng.uniform(80, 160), rng.random())
        for i in range(n)
    ]


def test_every_transition_is_harmonic_when_the_set_allows_it():
    # Keys 1A..10A form a chain of neighbours; shuffled ids, similar tempo and energy.
    rng = random.Random(7)
    keys = [f"{n}A" for n in range(1, 11)]
    rng.shuffle(keys)
    items = [sq.Item(i, key, 120 + i % 3, 0.6) for i, key in enumerate(keys)]
    result = sq.sequence(items)
    by_id = {item.id: item for item in items}
    moves = [(by_id[a].camelot, by_id[b].camelot) for a, b in itertools.pairwise(result.order)]
    assert all(sq.compatible(a, b) for a, b in moves), moves


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_whole_order_costs_less_than_greedy(seed):
    items = random_set(30, seed)
    trans, arcs = sq.transition_matrix(items), sq.arc_matrix(items)
    greedy = sq.order_cost(sq.greedy(items), trans, arcs)
    ours = sq.sequence(items)
    assert ours.cost < greedy
    index = {item.id: i for i, item in enumerate(items)}
    assert ours.cost == pytest.approx(sq.order_cost([index[t] for t in ours.order], trans, arcs))
    assert sorted(ours.order) == sorted(item.id for item in items)


def test_the_same_set_always_gives_the_same_order():
    items = random_set(25, 9)
    shuffled = items[:]
    random.Random(1).shuffle(shuffled)
    assert sq.sequence(items).order == sq.sequence(items).order == sq.sequence(shuffled).order


def test_pinned_first_and_last_tracks_stay_put():
    items = random_set(20, 5)
    result = sq.sequence(items, first=13, last=4)
    assert result.order[0] == 13 and result.order[-1] == 4
    assert sorted(result.order) == list(range(20))


def test_each_transition_has_its_score_and_reason():
    items = [sq.Item(1, "8A", 120, 0.4), sq.Item(2, "9A", 126, 0.9)]
    result = sq.sequence(items, first=1)
    (move,) = result.transitions
    assert (move.from_id, move.to_id) == (1, 2)
    assert move.why == "8A → 9A: neighbours on the Camelot wheel; tempo +5%; energy up"
    assert move.cost == pytest.approx(sq.NEIGHBOUR + (5 / sq.TEMPO_SCALE_PCT) ** 2, abs=1e-4)


def test_the_energy_arc_opens_builds_peaks_and_releases():
    levels = [sq.arc(p, 11) for p in range(11)]
    peak = levels.index(max(levels))
    assert levels[0] < levels[peak] and levels[-1] < levels[peak]
    assert 5 <= peak <= 8
    assert all(a <= b for a, b in itertools.pairwise(levels[: peak + 1]))
