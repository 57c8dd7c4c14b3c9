"""Arena stuffing (issue 11 §1.5): seen, one listener voted A over B on the same pair 60 times,
the refit made the ratings 1620 vs 380, and the anomaly test flagged nobody. One verdict per
listener per pair counts (a later one replaces it), and repeating it is itself flagged."""

import pytest

from curation.arena import services
from curation.models import ArenaRating, ArenaVote, VoterFlag
from tests.curation.helpers import established, listen
from tests.factories import GenerationBatchFactory, ListenerFactory, ReadyTrackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    batch = GenerationBatchFactory.create()
    return [ReadyTrackFactory.create(batch=batch, duration_s=60.0) for _ in range(2)]


def heard_both(listener, pair) -> None:
    for track in pair:
        listen(listener, track, 12)


def vote(listener, a, b, outcome: str) -> None:
    services.arena_vote_submit(listener_id=listener.pk, track_a=a.pk, track_b=b.pk, outcome=outcome)


def ratings(pair) -> list[float]:
    return [ArenaRating.objects.get(track=track).rating for track in pair]


def test_a_later_verdict_on_the_same_pair_replaces_the_earlier(pair):
    a, b = pair
    listener = ListenerFactory.create()
    heard_both(listener, pair)
    vote(listener, a, b, "a")
    vote(listener, b, a, "a")  # the other way round: now B is better
    assert ArenaVote.objects.filter(replaced=False).count() == 1
    services.arena_fit_batch(batch_id=a.batch_id, resamples=50)
    rating_a, rating_b = ratings(pair)
    assert rating_b > rating_a


def test_sixty_identical_verdicts_count_once_and_are_flagged(pair):
    a, b = pair
    honest, stuffer = ListenerFactory.create(), ListenerFactory.create()
    heard_both(honest, pair)
    vote(honest, a, b, "b")
    services.arena_fit_batch(batch_id=a.batch_id, resamples=50)
    before = ratings(pair)

    heard_both(stuffer, pair)
    for _ in range(60):
        vote(stuffer, a, b, "a")
    assert ArenaVote.objects.filter(listener=stuffer).count() == 60  # kept, for audit
    services.arena_fit_batch(batch_id=a.batch_id, resamples=50)
    flag = VoterFlag.objects.get(listener=stuffer)
    assert flag.reason == VoterFlag.Reason.REPEATS
    assert not VoterFlag.objects.filter(listener=honest).exists()
    # Flagged, the stuffer's verdict is left out: the honest vote alone decides, as before.
    assert ratings(pair) == pytest.approx(before)


def test_a_new_identitys_verdicts_wait_for_its_proof(pair):
    """New identities weigh nothing until they have shown real listening (issue 11, 1.4):
    in the arena as in the crowd score."""
    a, b = pair
    honest = ListenerFactory.create()
    heard_both(honest, pair)
    vote(honest, a, b, "b")
    services.arena_fit_batch(batch_id=a.batch_id, resamples=50)
    before = ratings(pair)

    newcomer = ListenerFactory.create(proven_at=None)
    heard_both(newcomer, pair)
    vote(newcomer, a, b, "a")
    services.arena_fit_batch(batch_id=a.batch_id, resamples=50)
    assert ratings(pair) == pytest.approx(before)

    established(newcomer.pk)
    services.arena_fit_batch(batch_id=a.batch_id, resamples=50)
    assert ratings(pair)[0] > before[0]
