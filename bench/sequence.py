"""Sequencing albums: time to order 20, 50 and 200 candidates, and the cost against greedy
nearest-neighbour on random sets of 50.

    .venv/bin/python bench/sequence.py [--sets 10]

Random sets: keys uniform on the Camelot wheel, tempo 70-180 BPM, energy uniform 0.1-1.
Prints figures, then one JSON line (seq20_s, seq50_s, seq200_s, cost_ratio_vs_greedy).
"""

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

from curation.albums import sequencer as sq  # noqa: E402


def random_set(n: int, seed: int) -> list[sq.Item]:
    rng = random.Random(seed)
    return [
        sq.Item(
            id=i,
            camelot=f"{rng.randint(1, 12)}{rng.choice('AB')}",
            tempo_bpm=rng.uniform(70, 180),
            energy=rng.uniform(0.1, 1.0),
        )
        for i in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", type=int, default=10)
    args = parser.parse_args()
    figures: dict[str, float] = {}
    for n in (20, 50, 200):
        items = random_set(n, seed=n)
        started = time.perf_counter()
        sq.sequence(items)
        figures[f"seq{n}_s"] = round(time.perf_counter() - started, 3)
        print(f"{n} candidates sequenced in {figures[f'seq{n}_s']} s", flush=True)
    ratios = []
    for seed in range(args.sets):
        items = random_set(50, seed=1000 + seed)
        trans, arcs = sq.transition_matrix(items), sq.arc_matrix(items)
        greedy = sq.order_cost(sq.greedy(items), trans, arcs)
        ours = sq.sequence(items).cost
        ratios.append(ours / greedy)
        print(f"set {seed}: greedy {greedy:.2f}, ours {ours:.2f} ({ours / greedy:.2f}x)")
    figures["cost_ratio_vs_greedy"] = round(statistics.mean(ratios), 3)
    print(
        f"mean over {args.sets} sets of 50: ours / greedy = {figures['cost_ratio_vs_greedy']}"
        f" ({1 - figures['cost_ratio_vs_greedy']:.0%} lower)"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
