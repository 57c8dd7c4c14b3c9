"""Stuffing: attacks on the crowd's verdict against a crowd of honest simulated listeners.

The production set-up (gunicorn for pages and the API, uvicorn, a Celery worker and beat,
behind one proxy: NUM_PROXIES=1 and X-Forwarded-For) on a database and a Redis database of
its own. Most of the honest crowd's history is seeded in SQL: proven listeners who heard a
share of the tracks and rated them by hidden true qualities and their own taste, the tracks'
figures filled from those rows, their trend from when each play and rating happened, and
arena verdicts. A smaller live honest crowd (seeded listeners, by their signed cookies)
keeps listening in real time and rating over HTTP while the attacks run:

1. one identity (an established listener): after a real listen and 5 stars on the target
   (what any listener may do), floods of play and play/skip events, rating flips 4, 5, 4...
   ending on 5, and 60 arena verdicts on one pair. Its effect is the smaller of the changes
   against the two outcomes an honest listener can have: that one listen and vote, or their
   absence (a flag takes every vote of theirs out); in the arena, against the crowd's fit
   without this listener;
2. 20 identities from one address: fresh browsers, each with the shortest listen the server
   accepts and 5 stars on the target, and sign-ups from that address doing the same;
3. coordinated, sybils 10% of the honest crowd: N from one address, M from many; patient
   ones, each listening the quickest way to the proof the server allows (five minutes by its
   clock, however many tracks at once), then giving the target 5 stars and the honest top 5
   one star; measured after the ratings' anomaly test (every minute) has had its run.

Each attack is read through the public API (/api/v1/rankings/ top, trending, arena) before
and after. Its effect is the largest rank change between the observed order and the order
with the attacked tracks' figures put back as they were (the live crowd moves the others
meanwhile; it never touches the targets). Targets: one identity 0 places, 20 from one
address at most 1, coordinated: Spearman >= 0.95 of the honest top 10. Prints the figures,
then one JSON line.

    .venv/bin/python bench/stuffing.py            # about 15 minutes
    .venv/bin/python bench/stuffing.py --quick    # a smaller crowd, about 10 minutes
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.clients import Client, Results  # noqa: E402
from bench.servers import (  # noqa: E402
    stop_groups,
)
from bench.stuffing_crowd import (  # noqa: E402
    DURATION_S,
    World,
    browser,
    db_value,
    events,
    honest,
    listen_at_once,
    play,
    rate,
    refitted_since_last_vote,
    seed,
    sign_up,
    start,
    together,
    wait_for,
)
from bench.stuffing_verdict import (  # noqa: E402
    CHANGES,
    arena_order_without,
    board,
    counterfactual,
    effect,
    order,
    spearman_top10,
)
from curation.rules import PROVEN_LISTENING_S, listen_required_s  # noqa: E402

# --- the attacks -------------------------------------------------------------------------------


def one_honest_listen(client: Client, target: int, pair: tuple[int, int]) -> None:
    """What the one identity may do honestly: hear the target and the pair, rate the target
    5 stars. The attack's effect is measured from here: one listener's honest listen and
    vote count, as everyone's do."""
    stop = threading.Event()
    for track in (target, *pair):  # one after another: played at once, they share the clock
        play(client, track, 25.0 if track == target else 11.5, stop)
    rate(client, target, 5)


def one_identity(client: Client, target: int, pair: tuple[int, int]) -> dict[str, Any]:
    """The same established listener: event floods, rating flips (ending on 5 stars, as
    given), and the same arena verdict on one pair 60 times."""
    session = f"flood-{random.getrandbits(32):x}"
    seq = 0
    for n in range(15):  # 2,000 plays, then 1,000 play/skip pairs, 200 events a request
        batch = []
        for _ in range(200):
            seq += 1
            kind = "play" if n < 10 or seq % 2 else "skip"
            batch.append({"type": kind, "position": 0, "seq": seq, "t": seq})
        events(client, target, session, batch)
    counted = 0
    for stars in [4, 5] * 15 + [5] * 10:
        answer = rate(client, target, stars)
        counted += int(isinstance(answer, dict) and bool(answer.get("counted")))
    votes = 0
    for _ in range(60):
        body = {"track_a": pair[0], "track_b": pair[1], "outcome": "a"}
        votes += bool(client.call("arena", "POST", "/api/v1/arena/votes/", body, ok=(201, 429)))
    return {"counted_rating_answers": counted, "arena_votes_accepted": votes}


def one_address(
    base: str, results: Results, target: int, identities: int, signups: int
) -> dict[str, Any]:
    """Fresh browsers and new accounts from one address, each with the shortest listen the
    server accepts and 5 stars."""
    address, tally = "10.66.2.1", {"counted": 0, "refused": 0, "accounts": 0}
    wait = listen_required_s(DURATION_S) + 0.5

    def one(client: Client | None) -> None:
        if client is None:
            return
        listen_at_once(client, [target], wait)
        answer = rate(client, target, 5)
        tally["counted"] += int(isinstance(answer, dict) and bool(answer.get("counted")))
        tally["refused"] += int(not isinstance(answer, dict) or "counted" not in answer)

    clients: list[Client | None] = [browser(base, address, results) for _ in range(identities)]
    accounts = [
        sign_up(base, address, results, f"stuff{random.getrandbits(30)}") for _ in range(signups)
    ]
    tally["accounts"] = sum(a is not None for a in accounts)
    together([lambda c=c: one(c) for c in clients + accounts])  # type: ignore[misc]
    return {"identities": identities, "signups_tried": signups, **tally}


def coordinated(
    base: str,
    results: Results,
    world: World,
    target: int,
    sybils: int,
    seconds: float,
    sink: list[int],
) -> dict[str, Any]:
    """Half the sybils (at most 20) from one address, the rest from addresses of their own:
    patient ones, each listening the quickest way to the proof the server allows (tracks one
    after another, `seconds` each, the target and `sink` among them, until the server's clock
    has run PROVEN_LISTENING_S for them), then 5 stars on the target and 1 on `sink`."""
    tally = {"counted_5": 0, "counted_1": 0, "answers": 0}
    rng = random.Random(3)
    one_address_n = min(sybils // 2, 20)
    lock = threading.Lock()
    others = [t for t in world.tracks if t != target and t not in sink]
    count = max(1 + len(sink), math.ceil((PROVEN_LISTENING_S + seconds) / seconds))

    def one(n: int) -> None:
        address = "10.66.3.1" if n < one_address_n else f"10.67.{n // 250}.{n % 250 + 1}"
        client = browser(base, address, results)
        heard = [target, *sink, *rng.sample(others, max(0, count - 1 - len(sink)))]
        for track in heard:
            listen_at_once(client, [track], seconds)
        for track, stars in [(target, 5), *((t, 1) for t in sink)]:
            answer = rate(client, track, stars)
            with lock:
                tally["answers"] += 1
                if isinstance(answer, dict) and answer.get("counted"):
                    tally[f"counted_{stars}"] += 1

    together([lambda n=n: one(n) for n in range(sybils)])  # type: ignore[misc]
    return {
        "sybils": sybils,
        "from_one_address": one_address_n,
        "tracks_heard_each": count,
        "listen_s_each": round(count * seconds),
        **tally,
    }


def flagged(listeners: list[int] | None = None) -> int:
    """How many voters are flagged (of `listeners`, or new identities when None)."""
    if listeners is None:
        where = f"listener_id > {max(SEEDED)}" if SEEDED else "true"
    else:
        where = f"listener_id IN ({','.join(map(str, listeners))})"
    return int(db_value(f"SELECT count(*) FROM curation_voterflag WHERE {where}") or 0)


SEEDED: list[int] = []


# --- the set-up and the run --------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=40)
    parser.add_argument("--honest", type=int, default=400, help="seeded honest listeners")
    parser.add_argument("--live", type=int, default=10, help="live honest listeners")
    parser.add_argument("--sybil-share", type=float, default=0.10)
    parser.add_argument(
        "--sybil-listen", type=float, default=30.0, help="seconds a sybil hears each track"
    )
    parser.add_argument("--quick", action="store_true", help="24 tracks, 150 + 4 listeners")
    args = parser.parse_args()
    if args.quick:
        args.tracks, args.honest, args.live = 24, 150, 4
    began = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="albumvote-stuffing-"))
    processes, base = start(work)
    results, stop = Results(), threading.Event()
    report: dict[str, Any] = {"tracks": args.tracks, "honest_listeners": args.honest}
    crowd: list[threading.Thread] = []
    try:
        world = seed(args.tracks, args.honest, random.Random(11))
        SEEDED.extend(world.listeners)
        reader = Client(base, "10.2.0.1", results)
        if not wait_for(lambda: bool(db_value("SELECT count(*) FROM curation_arenarating")), 150):
            raise SystemExit(f"no arena fit in time; see {work}")
        first = order(board(reader)["top"])
        targets = [first[4], first[5], first[min(len(first) - 1, 13)]]  # #5, #6 and #14
        tally = {"listens": 0, "ratings": 0}
        crowd += [
            threading.Thread(
                target=honest,
                daemon=True,
                args=(
                    browser(base, f"10.1.0.{n + 1}", results, listener=world.listeners[n]),
                    world,
                    world.listeners[n],
                    set(targets),
                    stop,
                    tally,
                ),
            )
            for n in range(args.live)
        ]
        for thread in crowd:
            thread.start()
        time.sleep(10)

        arena = order(board(reader)["arena"])
        pair = next((a, b) for a in arena[len(arena) // 2 :] for b in arena[:1] if a not in targets)
        me = next(m for m in world.listeners[args.live :] if targets[0] not in world.rated[m])
        attacker = browser(base, "10.66.1.1", results, listener=me)
        absent = board(reader)
        one_honest_listen(attacker, targets[0], pair)
        before = board(reader)
        done = one_identity(attacker, targets[0], pair)
        refit = wait_for(refitted_since_last_vote, 150)
        after = board(reader)
        without = arena_order_without(me, world.tracks)
        # The attack did nothing if the figures are those of one honest listen and vote, or
        # those of this listener's absence (a flag takes all their votes out).
        as_honest = effect(before, after, targets[0], {targets[0]})
        as_absent = effect(absent, after, targets[0], {targets[0]})
        report["one_identity"] = {
            **as_honest,
            "top_rank_change": min(as_honest["top_rank_change"], as_absent["top_rank_change"]),
            "trending_rank_change": min(
                as_honest["trending_rank_change"], as_absent["trending_rank_change"]
            ),
            "vs_one_honest_vote": {k: as_honest[k] for k in CHANGES},
            "vs_absent": {k: as_absent[k] for k in CHANGES},
            # Against the crowd's arena without this listener at all (their flag leaves all
            # their verdicts out, the honest ones too).
            "arena_rank_change": max(
                abs(order(after["arena"]).index(t) - without.index(t)) for t in without
            )
            if refit
            else None,
            "arena_pair_ranks": [
                [arena.index(t) + 1, order(after["arena"]).index(t) + 1] for t in pair
            ],
            "arena_flagged": bool(
                db_value(f"SELECT count(*) FROM curation_voterflag WHERE listener_id = {me}")
            ),
            **done,
        }

        before = board(reader)
        done = one_address(base, results, targets[1], 20, 8)
        after = board(reader)
        report["one_address_20"] = {**effect(before, after, targets[1], {targets[1]}), **done}

        before = board(reader)
        sink = [t for t in order(before["top"]) if t not in targets][:5]
        sybils = round(args.sybil_share * args.honest)
        done = coordinated(base, results, world, targets[2], sybils, args.sybil_listen, sink)
        rated_at = time.monotonic()
        # The ratings' anomaly test runs every minute (beat): wait for one run after the
        # last vote, and a little more for every sybil it flags.
        wait_for(lambda: flagged() >= sybils, 150)
        done["flagged"] = flagged()
        done["waited_for_flags_s"] = round(time.monotonic() - rated_at)
        after = board(reader)
        # Every track a sybil may have played (the tracks beside the target are drawn).
        touched = set(world.tracks)
        honest_order = order(counterfactual(before, after, "top", touched))
        report["coordinated_10pct"] = {
            **effect(before, after, targets[2], touched),
            "spearman_top10": spearman_top10(honest_order, order(after["top"])),
            "spearman_top10_vs_before": spearman_top10(order(before["top"]), order(after["top"])),
            **done,
        }
        # Sincere voters flagged by the anomaly tests (false positives), of the seeded crowd
        # (the one identity is not sincere: it repeated its verdict).
        report["honest_flagged"] = flagged([m for m in world.listeners if m != me])
    finally:
        stop.set()
        for thread in crowd:  # their last pause lands before the servers stop
            thread.join(timeout=60)
        stop_groups(processes)
    report["live_crowd"] = {"listeners": args.live, **tally}
    report["errors"] = len(results.errors)
    met = {
        "one_identity": report["one_identity"]["top_rank_change"] == 0
        and report["one_identity"]["trending_rank_change"] == 0
        and report["one_identity"]["arena_rank_change"] == 0,
        "one_address_20": report["one_address_20"]["top_rank_change"] <= 1
        and report["one_address_20"]["trending_rank_change"] <= 1,
        "coordinated_10pct": report["coordinated_10pct"]["spearman_top10"] >= 0.95,
    }
    report["targets"] = met
    report["targets_met"] = all(met.values())
    report["seconds"] = round(time.monotonic() - began)
    for name, goal in (
        ("one_identity", "rank change 0"),
        ("one_address_20", "at most 1 place"),
        ("coordinated_10pct", "honest top-10 Spearman >= 0.95"),
    ):
        print(f"{name}: {json.dumps(report[name])}")
        print(f"  target {goal}: {'met' if met[name] else 'NOT met'}")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
