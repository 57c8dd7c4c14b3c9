"""The dashboard and a track's page through Django's test client: batches with their
progress, schedules and links; a track's failure, rejection, picks, charts and remix panel."""

import re

import pytest
from django.test import Client

from tests.curation.producer.helpers import SECRET_ERROR, SECRET_NOTE, rate
from tests.factories import GenerationBatchFactory

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_batches_with_progress_schedules_and_links(
    producer_client: Client, world
):
    html = producer_client.get("/producer/").content.decode()
    batch = world["ready"].batch
    assert f'data-batch-id="{batch.pk}"' in html
    # The ready and the failed track of that batch are done: 2 of 2.
    block = html[html.index(f'data-batch-id="{batch.pk}"') :]
    assert re.search(r'<progress[^>]*max="2" value="2"', block)
    assert SECRET_ERROR in html
    assert f'action="/producer/tracks/{world["failed"].pk}/retry/"' in html
    assert "Nightly" in html and "0 3 * * *" in html
    assert 'href="/producer/tracks/"' in html
    assert 'href="/producer/albums/"' in html
    assert 'name="count"' in html  # the launch form


def test_the_track_page_shows_failures_rejections_picks_charts_and_remix(
    producer_client: Client, world
):
    failed = producer_client.get(f"/producer/tracks/{world['failed'].pk}/").content.decode()
    assert SECRET_ERROR in failed
    assert '<svg class="chart"' not in failed  # nothing to plot: empty states instead
    assert "Nobody has listened yet" in failed and "No ratings yet." in failed
    assert "Retry this track" in failed
    rejected = producer_client.get(f"/producer/tracks/{world['rejected'].pk}/").content.decode()
    assert "above the corpus bound" in rejected
    ready = world["ready"]
    rate(ready, 5, 4)
    html = producer_client.get(f"/producer/tracks/{ready.pk}/").content.decode()
    assert SECRET_NOTE in html
    assert 'value="opener"' in html
    assert re.search(r'value="shortlisted"[^>]*checked', html)
    # Rated (through listening) but not in the arena: three charts and the arena's empty state.
    assert html.count('<svg class="chart"') == 3
    assert "No arena votes in this batch yet" in html
    assert "2 ratings" in html  # the distribution chart's description
    assert "data-remix" in html  # the remix partial
    assert "data-play-item" in html  # listen inline


def test_an_unknown_track_is_a_404(producer_client: Client):
    GenerationBatchFactory.create()
    assert producer_client.get("/producer/tracks/999999/").status_code == 404
