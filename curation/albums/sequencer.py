"""Ordering tracks for flow, like a DJ set: harmonic moves on the Camelot wheel, small tempo
steps, and an energy arc (opening, build, peak, release).

The cost of an order is the sum of its transitions' costs plus each track's distance from the
arc's energy at its position. The whole order is optimised: greedy nearest-neighbour first,
then simulated annealing over swaps and segment reversals with a fixed seed, so the same set
always gives the same order. Pinned first and last tracks stay where the producer put them.
Plain Python and numpy; no Django.
"""

import itertools
import math
import random
from dataclasses import dataclass

import numpy as np

# Transition costs. Same key or a neighbour on the wheel (±1, same letter) or the relative
# major/minor (same number) are the harmonic moves DJs use; anything else costs by distance.
SAME_KEY = 0.0
NEIGHBOUR = 0.1
RELATIVE = 0.15
CLASH_BASE = 1.0
CLASH_PER_STEP = 0.25
UNKNOWN_KEY = 0.6
TEMPO_SCALE_PCT = 6.0  # a 6% tempo step costs 1
ENERGY_WEIGHT = 2.0
ITERATIONS_PER_TRACK = 800
SEED = 20261125


@dataclass(frozen=True)
class Item:
    id: int
    camelot: str  # "8A" … "12B"; "" if unknown
    tempo_bpm: float
    energy: float  # 0..1


@dataclass(frozen=True)
class Transition:
    from_id: int
    to_id: int
    cost: float
    why: str


@dataclass(frozen=True)
class Sequence:
    order: list[int]
    cost: float
    transitions: list[Transition]


def parse_camelot(code: str) -> tuple[int, str] | None:
    code = code.strip().upper()
    if len(code) < 2 or code[-1] not in "AB" or not code[:-1].isdigit():
        return None
    number = int(code[:-1])
    return (number, code[-1]) if 1 <= number <= 12 else None


def key_move(a: str, b: str) -> tuple[float, str]:
    """The cost of going from key a to key b, and its name."""
    pa, pb = parse_camelot(a), parse_camelot(b)
    if pa is None or pb is None:
        return UNKNOWN_KEY, "key unknown"
    steps = min((pa[0] - pb[0]) % 12, (pb[0] - pa[0]) % 12)
    if pa == pb:
        return SAME_KEY, f"{a} → {b}: same key"
    if pa[1] == pb[1] and steps == 1:
        return NEIGHBOUR, f"{a} → {b}: neighbours on the Camelot wheel"
    if pa[0] == pb[0]:
        return RELATIVE, f"{a} → {b}: relative major/minor"
    return CLASH_BASE + CLASH_PER_STEP * steps, f"{a} → {b}: key clash ({steps} steps)"


def compatible(a: str, b: str) -> bool:
    return key_move(a, b)[0] <= RELATIVE


def tempo_move(a: float, b: float) -> tuple[float, str]:
    if a <= 0 or b <= 0:
        return 0.0, "tempo unknown"
    pct = (b - a) / a * 100
    return (pct / TEMPO_SCALE_PCT) ** 2, f"tempo {pct:+.0f}%"


def arc(position: int, count: int) -> float:
    """Target energy at a position: open around 0.45, build to a peak at 70% of the way,
    release to 0.5 at the end."""
    if count <= 1:
        return 0.6
    x = position / (count - 1)
    if x <= 0.7:
        return 0.45 + (0.95 - 0.45) * (x / 0.7)
    return 0.95 - (0.95 - 0.5) * ((x - 0.7) / 0.3)


def transition_matrix(items: list[Item]) -> np.ndarray:
    n = len(items)
    cost = np.zeros((n, n))
    for i, a in enumerate(items):
        for j, b in enumerate(items):
            if i != j:
                cost[i, j] = (
                    key_move(a.camelot, b.camelot)[0] + tempo_move(a.tempo_bpm, b.tempo_bpm)[0]
                )
    return cost


def arc_matrix(items: list[Item]) -> np.ndarray:
    """arc_cost[track, position]."""
    n = len(items)
    targets = np.array([arc(p, n) for p in range(n)])
    energies = np.array([item.energy for item in items])
    return ENERGY_WEIGHT * (energies[:, None] - targets[None, :]) ** 2


def order_cost(order: list[int], trans: np.ndarray, arcs: np.ndarray) -> float:
    total = sum(trans[a, b] for a, b in itertools.pairwise(order))
    return float(total + sum(arcs[t, p] for p, t in enumerate(order)))


def greedy(items: list[Item], *, first: int | None = None, last: int | None = None) -> list[int]:
    """Nearest neighbour: start from the pinned track (or the one nearest the opening
    energy), then always the cheapest next; the pinned last track goes last."""
    trans, arcs = transition_matrix(items), arc_matrix(items)
    ids = [item.id for item in items]
    n = len(items)
    left = set(range(n))
    end = ids.index(last) if last is not None else None
    if end is not None:
        left.discard(end)
    start = ids.index(first) if first is not None else min(left, key=lambda t: (arcs[t, 0], t))
    left.discard(start)
    order = [start]
    while left:
        position = len(order)
        nxt = min(left, key=lambda t: (trans[order[-1], t] + arcs[t, position], t))
        order.append(nxt)
        left.discard(nxt)
    if end is not None:
        order.append(end)
    return order


def sequence(
    items: list[Item], *, first: int | None = None, last: int | None = None, seed: int = SEED
) -> Sequence:
    """The order of `items` (ids) with the lowest cost found; deterministic for a given set."""
    if not items:
        return Sequence([], 0.0, [])
    items = sorted(items, key=lambda item: item.id)  # the same set, whatever its order
    ids = [item.id for item in items]
    trans, arcs = transition_matrix(items), arc_matrix(items)
    order = greedy(items, first=first, last=last)
    cost = order_cost(order, trans, arcs)
    n = len(order)
    lo = 1 if first is not None else 0
    hi = n - 2 if last is not None else n - 1
    if hi - lo >= 1:
        order, cost = _anneal(order, cost, trans, arcs, lo, hi, random.Random(seed))
    return Sequence(
        [ids[t] for t in order], round(cost, 6), explain(items, [ids[t] for t in order])
    )


def _anneal(
    order: list[int],
    cost: float,
    trans: np.ndarray,
    arcs: np.ndarray,
    lo: int,
    hi: int,
    rng: random.Random,
) -> tuple[list[int], float]:
    """Simulated annealing over positions lo..hi: reverse a segment or swap two tracks."""
    t_cost = trans.tolist()
    a_cost = arcs.tolist()
    n = len(order)
    best, best_cost = order[:], cost
    current = order[:]
    steps = ITERATIONS_PER_TRACK * n
    start_temp, end_temp = 0.5, 0.002

    def link(p: int, q: int) -> float:
        return t_cost[current[p]][current[q]] if 0 <= p < n and 0 <= q < n else 0.0

    for step in range(steps):
        temp = start_temp * (end_temp / start_temp) ** (step / steps)
        i = rng.randint(lo, hi)
        j = rng.randint(lo, hi)
        if i == j:
            continue
        if i > j:
            i, j = j, i
        if rng.random() < 0.5:
            # Swap the tracks at i and j.
            before = link(i - 1, i) + link(i, i + 1) + link(j - 1, j) + link(j, j + 1)
            before += a_cost[current[i]][i] + a_cost[current[j]][j]
            if j == i + 1:
                before -= link(i, j)
            current[i], current[j] = current[j], current[i]
            after = link(i - 1, i) + link(i, i + 1) + link(j - 1, j) + link(j, j + 1)
            after += a_cost[current[i]][i] + a_cost[current[j]][j]
            if j == i + 1:
                after -= link(i, j)
            delta = after - before
            if delta > 0 and rng.random() >= math.exp(-delta / temp):
                current[i], current[j] = current[j], current[i]
                continue
        else:
            # Reverse the segment i..j (its inner links reverse too, and positions move).
            segment = current[i : j + 1]
            before = link(i - 1, i) + link(j, j + 1)
            before += sum(t_cost[a][b] for a, b in itertools.pairwise(segment))
            before += sum(a_cost[t][i + k] for k, t in enumerate(segment))
            reversed_segment = segment[::-1]
            current[i : j + 1] = reversed_segment
            after = link(i - 1, i) + link(j, j + 1)
            after += sum(t_cost[a][b] for a, b in itertools.pairwise(reversed_segment))
            after += sum(a_cost[t][i + k] for k, t in enumerate(reversed_segment))
            delta = after - before
            if delta > 0 and rng.random() >= math.exp(-delta / temp):
                current[i : j + 1] = segment
                continue
        cost += delta
        if cost < best_cost - 1e-12:
            best, best_cost = current[:], cost
    return best, order_cost(best, trans, arcs)


def explain(items: list[Item], order: list[int]) -> list[Transition]:
    """Each transition of `order` (ids) with its cost and why."""
    by_id = {item.id: item for item in items}
    transitions = []
    for a_id, b_id in itertools.pairwise(order):
        a, b = by_id[a_id], by_id[b_id]
        key_cost, key_why = key_move(a.camelot, b.camelot)
        tempo_cost, tempo_why = tempo_move(a.tempo_bpm, b.tempo_bpm)
        energy = (
            "energy up"
            if b.energy > a.energy + 0.05
            else ("energy down" if b.energy < a.energy - 0.05 else "energy level")
        )
        transitions.append(
            Transition(
                a_id, b_id, round(key_cost + tempo_cost, 4), f"{key_why}; {tempo_why}; {energy}"
            )
        )
    return transitions
