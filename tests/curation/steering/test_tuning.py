"""The crowd-tuned composer, curation's side: which tracks the crowd approved and their
weights, training a candidate, duels in the arena, and the promotion rule."""

import pytest
from django.core.management import call_command

from curation.arena import duels
from curation.arena.selectors import arena_next_pair
from curation.models import ArenaVote
from curation.services import ratings
from curation.services.flags import voter_flag
from curation.steering import tuning
from curation.tasks import judge_duels, tune_composer
from generation.composer.model import current_version
from generation.duels import duel_launch
from generation.models import ComposerVersion
from generation.music import model_get
from generation.versions import composer_version_promote, composer_version_sync
from tests.curation.helpers import listen
from tests.factories import ListenerFactory
from tests.tuning import composed_track, duel_tracks_ready

pytestmark = pytest.mark.django_db


def test_approved_tracks_are_the_well_scored_ones_weighted_by_score(rated):
    loved, liked, _meh = rated
    chosen = tuning.approved_tracks()
    assert [c.track_id for c in chosen] == [loved.pk, liked.pk]
    assert chosen[0].crowd_score > chosen[1].crowd_score >= tuning.APPROVED_SCORE
    assert tuning.MAX_WEIGHT >= chosen[0].weight > chosen[1].weight >= 1
    assert tuning.track_weight(tuning.APPROVED_SCORE) == 1
    assert tuning.track_weight(1.0) == tuning.MAX_WEIGHT


def approved(*weights: int) -> list[tuning.ApprovedTrack]:
    return [tuning.ApprovedTrack(n, 0.7, 5, w) for n, w in enumerate(weights, 1)]


def test_approved_tracks_weigh_a_share_of_the_corpus_shared_by_weight():
    many = approved(*([1] * 80 + [2] * 20))  # total weight 120, none at the cap
    counts = dict(tuning.tuned_counts(many, 5000))
    # Together about as much as the corpus (a half of all it learns from) ...
    assert sum(counts.values()) == pytest.approx(5000, rel=0.02)
    # ... each in proportion to its weight.
    assert counts[81] == pytest.approx(2 * counts[1], abs=1)


def test_a_few_approved_tracks_are_capped_and_never_count_less_than_their_weight():
    cap = round(5000 * tuning.TRACK_CAP)
    assert dict(tuning.tuned_counts(approved(1, 8), 5000)) == {1: cap, 2: cap}
    # A corpus smaller than the tracks' weights: they count their weights, no less.
    assert dict(tuning.tuned_counts(approved(2, 8), 3)) == {1: 2, 2: 8}
    assert tuning.tuned_counts([], 5000) == []


def test_ratings_that_do_not_count_approve_nothing(own_model_dir):
    """A new identity's five stars and a flagged voter's leave the figures alone."""
    track = composed_track(model_get(), preset="waltz", seed=31)
    newcomers = [ListenerFactory.create(proven_at=None) for _ in range(3)]
    flagged = [ListenerFactory.create() for _ in range(3)]
    for listener in flagged:
        voter_flag(listener_id=listener.pk, reason="ratings", p_value=0.0, votes=5)
    for listener in newcomers + flagged:
        listen(listener, track, 40, session=f"s{listener.pk}")
        assert not ratings.rating_submit(
            listener_id=listener.pk, track_id=track.pk, stars=5
        ).counted
    assert tuning.approved_tracks() == []
    with pytest.raises(Exception, match="No track is crowd-approved"):
        tuning.composer_tune()

    # The same stars from proven listeners do approve it.
    for listener in [ListenerFactory.create() for _ in range(8)]:
        listen(listener, track, 40, session=f"s{listener.pk}")
        assert ratings.rating_submit(listener_id=listener.pk, track_id=track.pk, stars=5).counted
    assert [c.track_id for c in tuning.approved_tracks()] == [track.pk]


def test_tuning_trains_a_candidate_on_the_approved_tracks(rated, own_model_dir):
    before = current_version(own_model_dir)
    version_id = tune_composer(created_by_id=None)
    version = ComposerVersion.objects.get(pk=version_id)
    chosen = tuning.approved_tracks()
    assert version.status == "candidate" and version.parent is not None
    assert version.parent.version == before
    # Counted against the corpus by the share rule (here, with a small corpus, the cap).
    counts = dict(tuning.tuned_counts(chosen, version.training["corpus_pieces"]))
    assert version.training["tuned"] == [
        {"track": pk, "weight": counts[pk]} for pk in sorted(counts)
    ]
    assert all(counts[c.track_id] >= c.weight for c in chosen)
    selection = version.training["selection"]
    assert selection["approved_score"] == tuning.APPROVED_SCORE
    assert selection["tuned_share"] == tuning.TUNED_SHARE
    assert set(selection["scores"]) == {str(c.track_id) for c in chosen}
    assert current_version(own_model_dir) == before, "a candidate composes nothing yet"


def test_the_command_tunes_and_launches_a_duel(rated, own_model_dir, capsys, queued):
    call_command("tune_composer", "--duel", "2")
    out = capsys.readouterr().out
    candidate = ComposerVersion.objects.get(status="candidate")
    assert f"candidate {candidate.version}" in out and "2 tuned tracks" in out
    assert "duel batch" in out and candidate.duels_as_candidate.get().count == 4


@pytest.fixture
def duel(rated, own_model_dir, queued):
    """A candidate and a duel batch of 4 same-parameter pairs, composed and published."""
    candidate = ComposerVersion.objects.get(pk=tune_composer())
    batch = duel_launch(candidate_id=candidate.pk, pairs=4, seed=3, source="api")
    tracks = duel_tracks_ready(batch, model_get)
    return candidate, batch, tracks


def test_the_arena_offers_only_same_parameter_pairs_of_a_duel(duel):
    candidate, batch, tracks = duel
    by_id = {t.pk: t for t in tracks}
    seen = set()
    for seed in range(30):
        pair = arena_next_pair(batch_id=batch.pk, seed=seed)
        assert pair is not None
        a, b = pair
        assert by_id[a].params == by_id[b].params and by_id[a].seed == by_id[b].seed
        assert {by_id[a].model_version, by_id[b].model_version} == {
            candidate.version,
            composer_version_sync().version,
        }
        seen.add(frozenset((a, b)))
    assert len(seen) == 4, "every pair is offered"

    # The pair with the fewest verdicts comes first.
    listener = ListenerFactory.create()
    _first, second, *_ = duels.duel_pairs(batch_id=batch.pk)
    for pair in duels.duel_pairs(batch_id=batch.pk):
        if pair != second:
            ArenaVote.objects.create(
                listener=listener, track_a_id=pair[0], track_b_id=pair[1], outcome="a"
            )
    assert set(arena_next_pair(batch_id=batch.pk, seed=1) or ()) == set(second)


def vote(batch_tracks, candidate, listeners, *, candidate_wins: int, ties: int = 0) -> None:
    """Each listener gives one verdict on each pair: the first `candidate_wins` verdicts
    (counted over listeners and pairs) for the candidate, then `ties` ties, the rest for the
    current version; A and B alternate so side says nothing."""
    pairs = [batch_tracks[i : i + 2] for i in range(0, len(batch_tracks), 2)]
    n = 0
    for listener in listeners:
        for left, right in pairs:
            a, b = (left, right) if n % 2 else (right, left)
            if n < candidate_wins:
                outcome = "a" if a.model_version == candidate.version else "b"
            elif n < candidate_wins + ties:
                outcome = "tie"
            else:
                outcome = "b" if a.model_version == candidate.version else "a"
            ArenaVote.objects.create(listener=listener, track_a=a, track_b=b, outcome=outcome)
            n += 1


def test_the_rule_promotes_a_credible_win_and_not_a_near_tie():
    assert duels.duel_decide(wins=24, ties=2, losses=6).decision == duels.PROMOTE
    near = duels.duel_decide(wins=17, ties=2, losses=13)
    assert near.decision == duels.UNDECIDED and near.low < 0.5 < near.high
    assert duels.duel_decide(wins=5, ties=0, losses=27).decision == duels.RETIRE
    # However lopsided, too few verdicts decide nothing.
    few = duels.duel_decide(wins=duels.MIN_VERDICTS - 1, ties=0, losses=0)
    assert few.low > 0.5 and few.decision == duels.UNDECIDED
    assert duels.duel_decide(wins=3, ties=2, losses=1).win_rate == pytest.approx(4 / 6)


def test_a_candidate_that_wins_its_duel_is_promoted_and_swaps_the_pointer(duel, own_model_dir):
    candidate, _batch, tracks = duel
    incumbent = composer_version_sync()
    vote(tracks, candidate, [ListenerFactory.create() for _ in range(8)], candidate_wins=26)
    record = duels.duel_records([candidate], against_current=True)[candidate.pk]
    assert (record.wins, record.ties, record.losses) == (26, 0, 6)

    assert judge_duels() == {"promote": [candidate.version], "retire": []}
    candidate.refresh_from_db()
    assert candidate.status == "current" and candidate.promoted_how == "arena"
    assert candidate.replaced == incumbent and candidate.promoted_by is None
    assert current_version(own_model_dir) == candidate.version
    assert judge_duels() == {"promote": [], "retire": []}


def test_a_near_tie_promotes_nothing(duel, own_model_dir):
    candidate, _batch, tracks = duel
    vote(tracks, candidate, [ListenerFactory.create() for _ in range(8)], candidate_wins=15, ties=4)
    assert judge_duels() == {"promote": [], "retire": []}
    candidate.refresh_from_db()
    assert candidate.status == "candidate"


def test_verdicts_that_do_not_count_promote_nothing(duel, own_model_dir):
    candidate, _batch, tracks = duel
    flagged = [ListenerFactory.create() for _ in range(5)]
    for listener in flagged:
        voter_flag(listener_id=listener.pk, reason="unlikely", p_value=0.0, votes=4)
    newcomers = [ListenerFactory.create(proven_at=None) for _ in range(5)]
    vote(tracks, candidate, flagged + newcomers, candidate_wins=40)
    # "Both bad" says neither is better, and a pair of different parameters says nothing.
    listener = ListenerFactory.create()
    ArenaVote.objects.create(
        listener=listener, track_a=tracks[0], track_b=tracks[1], outcome="both_bad"
    )
    ArenaVote.objects.create(listener=listener, track_a=tracks[0], track_b=tracks[2], outcome="a")
    record = duels.duel_records([candidate], against_current=True)[candidate.pk]
    assert record.verdicts == 0
    assert judge_duels()["promote"] == []


def test_a_candidate_that_loses_is_set_aside_and_may_still_be_promoted_by_hand(duel, own_model_dir):
    candidate, _batch, tracks = duel
    vote(tracks, candidate, [ListenerFactory.create() for _ in range(8)], candidate_wins=3)
    assert judge_duels() == {"promote": [], "retire": [candidate.version]}
    candidate.refresh_from_db()
    assert candidate.status == "retired"

    composer_version_promote(version_id=candidate.pk)
    assert current_version(own_model_dir) == candidate.version
    # Its duels were against a version no longer current: they no longer judge it.
    assert duels.duel_records([candidate], against_current=True)[candidate.pk].verdicts == 0
    assert duels.duel_records([candidate])[candidate.pk].verdicts == 32
