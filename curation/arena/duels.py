"""Duels in the arena: a candidate composer version against the current one.

A duel batch (generation.duels) holds pairs of tracks with the same parameters and seed, one
composed by each version; the arena offers only those pairs, fewest verdicts first. A
candidate's record counts the verdicts that count (curation.rules.counted_voters, the
latest of each listener on each pair, "both bad" left out: it says neither is better), a
tie as half a win to each side.

The rule (docs/steering.md, "The crowd-tuned composer"): the candidate's win rate p against
the version it duelled has a Beta(1 + wins, 1 + losses) posterior from a uniform prior (ties
as half a win and half a loss). Once it has MIN_VERDICTS verdicts, the candidate is promoted
when the 95% equal-tailed interval of p lies above 1/2 (it credibly wins, a tie excluded)
and set aside when it lies below; otherwise the duel goes on.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, F
from scipy.stats import beta

from curation.models import ArenaVote
from curation.rules import counted_voters
from generation.models import ComposerVersion, Track

PRIOR_WINS = PRIOR_LOSSES = 1.0  # uniform prior on the win rate
CREDIBLE = 0.95
# Below this many counted verdicts no decision is taken, however lopsided: a handful of
# listeners (or one determined one not yet flagged) should not change every next batch.
MIN_VERDICTS = 20
HALF = 0.5

PROMOTE, RETIRE, UNDECIDED = "promote", "retire", "undecided"


@dataclass(frozen=True)
class DuelRecord:
    wins: int
    ties: int
    losses: int
    low: float  # the 95% interval of the candidate's win rate
    high: float
    decision: str

    @property
    def verdicts(self) -> int:
        return self.wins + self.ties + self.losses

    @property
    def win_rate(self) -> float | None:
        """The share of verdicts won, a tie as half; None before any verdict."""
        return (self.wins + self.ties / 2) / self.verdicts if self.verdicts else None


def duel_decide(wins: int, ties: int, losses: int) -> DuelRecord:
    """The rule, from the counted verdicts."""
    a = PRIOR_WINS + wins + ties / 2
    b = PRIOR_LOSSES + losses + ties / 2
    tail = (1 - CREDIBLE) / 2
    low, high = float(beta.ppf(tail, a, b)), float(beta.ppf(1 - tail, a, b))
    decision = UNDECIDED
    if wins + ties + losses >= MIN_VERDICTS:
        if low > HALF:
            decision = PROMOTE
        elif high < HALF:
            decision = RETIRE
    return DuelRecord(wins, ties, losses, low, high, decision)


def rule_text() -> str:
    return (
        f"A candidate is promoted once at least {MIN_VERDICTS} counted verdicts give its win "
        f"rate against the current version a {CREDIBLE:.0%} credible interval above one half "
        "(a tie counts half), and set aside once the interval is below; a producer may also "
        "promote it by hand."
    )


def _pair_key(track_id_position: int) -> int:
    return track_id_position // 2


def duel_pairs(*, batch_id: int) -> list[tuple[int, int]]:
    """The same-parameter pairs of a duel batch whose two tracks are both published (a pair
    with a side the quality gate rejected is not offered)."""
    rows = Track.objects.filter(batch_id=batch_id, status=Track.Status.READY).values_list(
        "pk", "position"
    )
    by_pair: dict[int, list[tuple[int, int]]] = {}
    for pk, position in rows:
        by_pair.setdefault(_pair_key(position), []).append((position, pk))
    return [
        (min(sides)[1], max(sides)[1]) for _, sides in sorted(by_pair.items()) if len(sides) == 2
    ]


def duel_next_pair(*, batch_id: int, seed: int | None = None) -> tuple[int, int] | None:
    """The duel pair with the fewest verdicts (ties broken at random), sides in random order;
    None when no pair is published yet."""
    pairs = duel_pairs(batch_id=batch_id)
    if not pairs:
        return None
    ids = [pk for pair in pairs for pk in pair]
    verdicts: dict[frozenset[int], int] = {}
    for row in (
        ArenaVote.objects.filter(track_a_id__in=ids, track_b_id__in=ids, replaced=False)
        .values("track_a_id", "track_b_id")
        .annotate(n=Count("id"))
    ):
        key = frozenset((row["track_a_id"], row["track_b_id"]))
        verdicts[key] = verdicts.get(key, 0) + row["n"]
    counts = np.array([verdicts.get(frozenset(pair), 0) for pair in pairs])
    rng = np.random.default_rng(seed)
    choice = pairs[int(rng.choice(np.flatnonzero(counts == counts.min())))]
    return choice if rng.random() < 0.5 else (choice[1], choice[0])


def duel_records(
    candidates: Sequence[ComposerVersion], *, against_current: bool = False
) -> dict[int, DuelRecord]:
    """Each version's record in the duels it fought as the candidate, in one query; with
    `against_current`, only its duels against the version current now (what promotion is
    judged on: a duel against a version since replaced says nothing about replacing this
    one)."""
    tallies = {c.pk: [0, 0, 0] for c in candidates}  # wins, ties, losses
    if not candidates:
        return {}
    versions = {c.pk: c.version for c in candidates}
    votes = ArenaVote.objects.filter(
        counted_voters(),
        track_a__batch_id=F("track_b__batch_id"),
        track_a__batch__duel_candidate_id__in=versions,
        replaced=False,
    )
    if against_current:
        votes = votes.filter(track_a__batch__duel_incumbent__status=ComposerVersion.Status.CURRENT)
    rows = votes.exclude(outcome=ArenaVote.Outcome.BOTH_BAD).values_list(
        "outcome",
        "track_a__batch__duel_candidate_id",
        "track_a__position",
        "track_b__position",
        "track_a__composer_version",
        "track_b__composer_version",
    )
    for outcome, candidate_id, pos_a, pos_b, version_a, version_b in rows:
        if _pair_key(pos_a) != _pair_key(pos_b) or version_a == version_b:
            continue  # not a same-parameter pair: says nothing about the versions
        tally = tallies[candidate_id]
        if outcome == ArenaVote.Outcome.TIE:
            tally[1] += 1
        elif (outcome == ArenaVote.Outcome.A) == (version_a == versions[candidate_id]):
            tally[0] += 1
        else:
            tally[2] += 1
    return {pk: duel_decide(*tally) for pk, tally in tallies.items()}
