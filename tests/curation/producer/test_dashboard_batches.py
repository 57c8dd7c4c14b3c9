"""The dashboard's batch lists through Django's test client: where a batch is listed (running
or recent) follows the services' own record of it, a dashboard launch says it came from the
dashboard, and every preset is shown by its display name."""

import re

import pytest
from django.test import Client

from generation import dispatch, services
from generation.composer import PRESETS
from generation.forms import preset_choices
from generation.models import GenerationBatch, Track
from tests.curation.producer.helpers import schedule_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_queue(monkeypatch) -> None:
    monkeypatch.setattr(dispatch, "generate_tracks", lambda ids: None)


def section(html: str, heading_id: str) -> str:
    """The HTML of the dashboard section labelled by that heading."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    end = html.find("</section>", start)
    return html[start:end]


def batch_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-batch-id="(\d+)"', html)]


def launch(count: int, preset: str | None = None) -> GenerationBatch:
    params = services.batch_params_validate({"count": count, "seed": 3, "preset": preset})
    return services.batch_launch(params=params, source=GenerationBatch.Source.COMMAND)


def test_a_batch_is_listed_as_running_until_its_last_track_finishes(
    producer_client: Client, django_capture_on_commit_callbacks
):
    batch = launch(2)
    first, last = batch.tracks.order_by("position")
    services.track_mark_failed(track_id=first.pk, error="Renderer crashed")

    html = producer_client.get("/producer/").content.decode()
    assert batch_ids(section(html, "running-heading")) == [batch.pk]
    assert batch_ids(section(html, "recent-heading")) == []

    services.track_mark_failed(track_id=last.pk, error="Worker lost")
    batch.refresh_from_db()
    assert batch.finished_at is not None  # recorded with the last track, in its transaction

    html = producer_client.get("/producer/").content.decode()
    assert batch_ids(section(html, "running-heading")) == []
    assert '<p class="empty" data-running-empty>No batch is running.</p>' in html
    recent = section(html, "recent-heading")
    assert batch_ids(recent) == [batch.pk]
    assert "2 of 2 done" in re.sub(r"<[^>]+>", "", recent)


def test_a_retried_track_brings_its_batch_back_to_running(producer_client: Client):
    batch = launch(1)
    track = batch.tracks.get()
    services.track_mark_failed(track_id=track.pk, error="Renderer crashed")
    services.tracks_retry(track_ids=[track.pk])
    html = producer_client.get("/producer/").content.decode()
    assert batch_ids(section(html, "running-heading")) == [batch.pk]


def test_a_dashboard_launch_is_recorded_and_labelled_as_from_the_dashboard(
    producer_client: Client,
):
    response = producer_client.post(
        "/producer/batches/launch/", {"count": "2", "temperature": "1.0"}, follow=True
    )
    batch = GenerationBatch.objects.get()
    assert batch.source == "dashboard"
    html = re.sub(r"\s+", " ", response.content.decode())
    assert "Dashboard by curator" in html
    assert "API by" not in html


def test_batches_and_schedules_show_preset_display_names_not_ids(producer_client: Client):
    batch = launch(2, preset="irish_jig")
    producer_client.post(
        "/producer/schedules/new/",
        schedule_data(name="Lofi nights", preset="lofi"),
    )
    html = producer_client.get("/producer/").content.decode()
    block = html[html.index(f'data-batch-id="{batch.pk}"') :]
    cells = re.findall(r"<td>([^<]*)</td>", block[: block.index("</table>")])
    assert PRESETS["irish_jig"].label in cells
    assert "irish_jig" not in cells
    schedules = section(html, "schedules-heading")
    assert f"<td>{PRESETS['lofi'].label}</td>" in schedules
    assert "<td>lofi</td>" not in schedules
    # The live script labels batches launched while the page is open with the same names.
    assert re.search(r'<script id="preset-labels" type="application/json">', html)
    labels = dict(preset_choices())
    assert f'"irish_jig": "{labels["irish_jig"]}"' in html


def test_the_dashboard_marks_where_each_list_is_for_the_live_script(producer_client: Client):
    batch = launch(1)
    Track.objects.filter(batch=batch).update(status=Track.Status.QUEUED)
    html = producer_client.get("/producer/").content.decode()
    assert "data-running" in section(html, "running-heading")
    assert "data-recent" in section(html, "recent-heading")
    assert '<script id="batch-sources" type="application/json">' in html
