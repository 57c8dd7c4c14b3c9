"""The /arena page: an anonymous pair, helpful empty states, and the leaderboard plot."""

import re

import pytest
from django.utils import timezone

from curation.models import ArenaRating
from tests.factories import GenerationBatchFactory, ReadyTrackFactory

pytestmark = pytest.mark.django_db


def test_without_a_batch_of_two_the_page_says_when_the_arena_opens(client):
    ReadyTrackFactory.create()
    page = client.get("/arena/").content.decode()
    assert "the arena opens when the first batch is composed" in page
    assert "data-arena-audio" not in page


def test_the_pair_plays_two_tracks_of_the_newest_batch_without_their_names(client):
    old = GenerationBatchFactory.create()
    ReadyTrackFactory.create_batch(2, batch=old)
    batch = GenerationBatchFactory.create()
    tracks = [ReadyTrackFactory.create(batch=batch, title=f"Secret {n}") for n in range(3)]
    page = client.get("/arena/").content.decode()
    sources = re.findall(r'data-mp3="/tracks/(\d+)/audio\.mp3"', page)
    assert len(sources) == 2 and set(map(int, sources)) <= {t.pk for t in tracks}
    assert "Secret" not in page  # names come after the vote
    # Each side shows its length before it is played (the tracks are 2:00 long).
    assert page.count("<span data-total>2:00</span>") == 2
    verdicts = re.findall(
        r'<button type="button" class="button-secondary" data-vote="(\w+)"'
        r' aria-keyshortcuts="(\d)" disabled>',
        page,
    )
    # All wait for listening; keys 1-4 vote.
    assert verdicts == [("a", "1"), ("b", "2"), ("tie", "3"), ("both_bad", "4")]
    assert "No arena votes in this batch yet" in page


def test_an_unknown_batch_gets_a_message(client):
    page = client.get("/arena/", {"batch": "999999"}).content.decode()
    assert "Batch 999999 has fewer than two published tracks." in page


def test_the_leaderboard_plots_ratings_with_their_intervals(client):
    batch = GenerationBatchFactory.create()
    tracks = [ReadyTrackFactory.create(batch=batch, title=f"Song {n}") for n in range(2)]
    for track, rating in zip(tracks, (1100.0, 900.0), strict=True):
        ArenaRating.objects.create(
            track=track,
            rating=rating,
            low=rating - 60,
            high=rating + 60,
            votes=12,
            computed_at=timezone.now(),
        )
    page = client.get("/arena/", {"batch": batch.pk}).content.decode()
    assert page.count('class="point"') == 2 and page.count('class="ci"') == 2
    assert "Song 0: 1100 (95% 1040\u20131160), 12 votes" in page
    assert page.index("Song 0") < page.index("Song 1")  # best first
    assert 'href="/arena/"' in client.get("/").content.decode()  # in the main navigation
