"""A track's actions on its producer page: saving picks (and refusing bad ones), retrying a
failed track."""

import pytest
from django.test import Client

from curation.models import TrackPick
from generation.models import Track
from tests.curation.producer.helpers import SECRET_NOTE

pytestmark = pytest.mark.django_db


def save_picks(client: Client, track: Track, **fields: str):
    """Send the track page's picks form, following its redirect back to the page."""
    return client.post(f"/producer/tracks/{track.pk}/picks/", fields, follow=True)


def test_the_picks_form_saves_and_redirects_with_a_message(producer_client: Client, world):
    rejected = world["rejected"]
    response = save_picks(
        producer_client, rejected, state="vetoed", notes="  too busy  ", tags="Busy, loud ,busy"
    )
    assert response.redirect_chain == [(f"/producer/tracks/{rejected.pk}/", 302)]
    assert "Picks saved." in response.content.decode()
    pick = TrackPick.objects.get(track=rejected)
    assert (pick.vetoed, pick.shortlisted, pick.notes, pick.tags) == (
        True,
        False,
        "too busy",
        ["busy", "loud"],
    )
    assert pick.updated_by == producer_client.producer  # type: ignore[attr-defined]


def test_bad_picks_input_shows_a_message_and_changes_nothing(producer_client: Client, world):
    ready = world["ready"]
    response = save_picks(producer_client, ready, state="none", notes="changed", tags="ok, no<way>")
    html = response.content.decode()
    assert response.status_code == 200
    assert "is not allowed" in html
    assert 'role="alert"' in html
    assert TrackPick.objects.get(track=ready).notes == SECRET_NOTE
    response = producer_client.post(
        f"/producer/tracks/{ready.pk}/picks/", {"state": "maybe"}, follow=True
    )
    assert "Select a valid choice" in response.content.decode()
    assert (
        producer_client.post("/producer/tracks/999999/picks/", {"state": "none"}).status_code == 404
    )


def test_the_retry_button_requeues_a_failed_track(
    producer_client: Client, world, queued, django_capture_on_commit_callbacks
):
    failed = world["failed"]
    with django_capture_on_commit_callbacks(execute=True):
        response = producer_client.post(
            f"/producer/tracks/{failed.pk}/retry/", {"next": "/producer/"}
        )
    assert response.status_code == 302 and response["Location"] == "/producer/"
    failed.refresh_from_db()
    assert (failed.status, failed.error, failed.attempts) == (Track.Status.QUEUED, "", 0)
    assert queued == [failed.pk]
    # A track that is not failed is left alone, with a message saying so.
    response = producer_client.post(f"/producer/tracks/{world['ready'].pk}/retry/", follow=True)
    assert "nothing to retry" in response.content.decode()
    assert Track.objects.get(pk=world["ready"].pk).status == Track.Status.READY
    # An outside address in `next` is not followed.
    response = producer_client.post(
        f"/producer/tracks/{failed.pk}/retry/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == f"/producer/tracks/{failed.pk}/"
