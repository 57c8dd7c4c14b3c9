"""What the preference model learns from besides crowd scores (issue 12, 1): arena verdicts,
counted as the arena counts them and one listener weighing no more than one rating, and
producer picks, as much as the producers weigh them."""

import random

import pytest

from albumvote.exceptions import ApplicationError
from curation.albums.services import pick_update
from curation.models import ArenaVote
from curation.services.flags import voter_flag
from curation.steering import selectors, services
from curation.steering.models import SteeringSettings
from tests.curation.steering.conftest import composed, crowd_gives, in_range
from tests.curation.steering.test_preferences import effect
from tests.factories import ListenerFactory, ProducerFactory

pytestmark = pytest.mark.django_db


def seen(tracks, preset: str):
    """The tracks of this preset the fit learns from (the rest are kept back)."""
    return [t for t in tracks if t.preset == preset and selectors.seen(t.pk)]


def pairs(tracks, winner: str, loser: str, n: int):
    """n distinct (winner, loser) pairs of seen tracks."""
    found = [(w, lose) for w in seen(tracks, winner) for lose in seen(tracks, loser)]
    assert len(found) >= n
    return found[:n]


def say(listener, better, worse, outcome: str = "win") -> None:
    """The listener's verdict: better beat worse (or a tie), heard as A and B either way."""
    if outcome == "tie":
        ArenaVote.objects.create(listener=listener, track_a=better, track_b=worse, outcome="tie")
    elif better.pk % 2:  # half the verdicts name the better track B
        ArenaVote.objects.create(listener=listener, track_a=worse, track_b=better, outcome="b")
    else:
        ArenaVote.objects.create(listener=listener, track_a=better, track_b=worse, outcome="a")


def waltz(version) -> float:
    return effect(version, "preset:waltz")[0]


@pytest.fixture
def undecided():
    """Forty tracks, waltzes and reels, every one rated alike: the ratings cannot tell."""
    rng = random.Random(7)
    tracks = []
    for n in range(40):
        preset = "waltz" if n % 2 else "celtic_reel"
        track = composed(preset, in_range(preset, rng), rng)
        crowd_gives(track, [3, 4])
        tracks.append(track)
    return tracks


@pytest.mark.parametrize(
    "winner, loser, sign", [("waltz", "celtic_reel", 1), ("celtic_reel", "waltz", -1)]
)
def test_arena_verdicts_tell_what_the_ratings_cannot(undecided, winner, loser, sign):
    before = services.preference_fit()
    assert before is not None and abs(waltz(before)) < 1e-9
    for better, worse in pairs(undecided, winner, loser, 12):
        say(ListenerFactory.create(), better, worse)
    after = services.preference_fit()
    assert after is not None
    value, width = effect(after, "preset:waltz")
    assert sign * value > width  # credibly in the verdicts' direction
    assert after.sources["arena_verdicts"] == 12 and after.sources["arena_listeners"] == 12
    assert after.sources["verdict_gap"] == pytest.approx(0.249, abs=0.001)


def test_verdicts_that_do_not_count_do_not_move_it(waltzes_win):
    """A new identity's verdicts and a flagged voter's are left out, as the arena fit leaves
    them out; the same verdicts from a proven listener move it."""
    before = services.preference_fit()
    newcomer = ListenerFactory.create(proven_at=None)
    flagged = ListenerFactory.create()
    voter_flag(listener_id=flagged.pk, reason="unlikely", p_value=0.0, votes=5)
    chosen = pairs(waltzes_win, "celtic_reel", "waltz", 6)
    for listener in (newcomer, flagged):
        for better, worse in chosen:
            say(listener, better, worse)
    after = services.preference_fit()
    assert before is not None and after is not None
    assert after.coefficients == before.coefficients
    assert after.noise == before.noise
    assert after.sources["arena_verdicts"] == 0

    for better, worse in chosen:
        say(ListenerFactory.create(), better, worse)
    counted = services.preference_fit()
    assert counted is not None and counted.sources["arena_verdicts"] == 6
    assert waltz(counted) < waltz(before)


def test_a_tie_pulls_toward_no_difference(waltzes_win):
    """Ties between waltzes and reels shrink the waltz effect, by less than losses would."""
    before = services.preference_fit()
    assert before is not None and waltz(before) > 0
    chosen = pairs(waltzes_win, "waltz", "celtic_reel", 10)
    listeners = ListenerFactory.create_batch(10)
    for listener, (better, worse) in zip(listeners, chosen, strict=True):
        say(listener, better, worse, "tie")
    tied = services.preference_fit()
    ArenaVote.objects.all().delete()
    for listener, (better, worse) in zip(listeners, chosen, strict=True):
        say(listener, worse, better)  # the reel wins
    lost = services.preference_fit()
    assert tied is not None and lost is not None
    assert waltz(lost) < waltz(tied) < waltz(before)
    assert waltz(tied) > 0


def test_one_listeners_flood_of_verdicts_weighs_one_rating(waltzes_win):
    """Thirty verdicts from one listener weigh together what one rating weighs: they move the
    model about as far as one verdict of theirs, a twentieth as far as thirty listeners'
    verdicts, and do not make it surer of itself."""
    base = services.preference_fit()
    chosen = pairs(waltzes_win, "celtic_reel", "waltz", 30)
    flooder = ListenerFactory.create()
    say(flooder, *chosen[0])
    one = services.preference_fit()
    for better, worse in chosen[1:]:
        say(flooder, better, worse)
    flood = services.preference_fit()
    ArenaVote.objects.all().delete()
    for better, worse in chosen:
        say(ListenerFactory.create(), better, worse)
    crowd = services.preference_fit()
    assert base is not None and one is not None and flood is not None and crowd is not None
    shift_one, shift_flood, shift_crowd = (waltz(base) - waltz(v) for v in (one, flood, crowd))
    assert 0 < shift_flood < 3 * shift_one
    assert shift_flood < shift_crowd / 10
    assert effect(flood, "preset:waltz")[1] > 0.95 * effect(base, "preset:waltz")[1]
    assert flood.sources["arena_listeners"] == 1 and flood.sources["arena_verdicts"] == 30
    # Twelve ratings a track: a track weighs 12 / 15, one rating a fifteenth.
    assert flood.sources["listener_weight"] == pytest.approx(1 / 15)


def test_picks_count_only_as_much_as_the_producers_weigh_them(waltzes_win):
    """Vetoing the waltzes and shortlisting reels: at weight 0 the fit is the same to the
    last digit; with a weight it moves toward the picks."""
    producer = ProducerFactory.create()
    before = services.preference_fit()
    for track in seen(waltzes_win, "waltz")[:8]:
        pick_update(track_id=track.pk, user=producer, vetoed=True)
    for track in seen(waltzes_win, "celtic_reel")[:8]:
        pick_update(track_id=track.pk, user=producer, shortlisted=True)
    assert SteeringSettings.current().picks_weight == 0
    unweighed = services.preference_fit()
    assert before is not None and unweighed is not None
    for field in ("coefficients", "covariance", "noise", "calibration"):
        assert getattr(unweighed, field) == getattr(before, field)
    assert unweighed.sources["picks_vetoed"] == 0 and unweighed.sources["picks_weight"] == 0

    SteeringSettings.objects.filter(pk=1).update(picks_weight=0.5)
    weighed = services.preference_fit()
    assert weighed is not None and waltz(weighed) < waltz(before)
    assert weighed.sources["picks_vetoed"] == 8 and weighed.sources["picks_shortlisted"] == 8
    assert weighed.sources["picks_weight"] == 0.5


def test_a_stronger_picks_weight_moves_it_further(waltzes_win):
    producer = ProducerFactory.create()
    for track in seen(waltzes_win, "waltz")[:8]:
        pick_update(track_id=track.pk, user=producer, vetoed=True)
    effects = []
    for weight in (0.2, 1.0):
        SteeringSettings.objects.update_or_create(pk=1, defaults={"picks_weight": weight})
        version = services.preference_fit()
        assert version is not None
        effects.append(waltz(version))
    assert effects[1] < effects[0]


def test_a_refit_on_demand_stores_a_version_or_says_what_is_missing(waltzes_win):
    version = services.preference_refit()
    assert version.pk is not None and version.sources["tracks"] == version.samples


def test_a_refit_on_demand_with_too_few_tracks_says_how_many():
    rng = random.Random(2)
    for _ in range(10):
        crowd_gives(composed("waltz", 100.0, rng), [4, 5])
    with pytest.raises(ApplicationError) as refused:
        services.preference_refit()
    assert refused.value.status_code == 409 and refused.value.code == "too_few_tracks"
    assert refused.value.details["needed"] == services.MIN_TRACKS
    assert 0 < refused.value.details["rated_tracks"] <= 10
