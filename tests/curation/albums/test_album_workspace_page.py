"""The producers' album pages through Django's test client: who may see them, the album list
and its form, and the workspace (tracklist, totals, transitions, versions and their exports,
the crowd score's label, the confirmation before publishing)."""

import re

import pytest
from django.test import Client

from curation.albums import services
from curation.albums.models import Album
from curation.ranking.verdict import EMPTY_CROWD_SCORE
from tests.curation.albums.helpers import published_album, rated, rows, text
from tests.factories import ProducerFactory, ReadyTrackFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- producers -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/producer/albums/", "/producer/albums/{id}/"])
def test_producer_pages_send_visitors_to_log_in_and_refuse_listeners(client: Client, path: str):
    album = services.album_create(user=ProducerFactory.create(), title="Hidden Work")
    url = path.format(id=album.pk)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"

    client.force_login(UserFactory.create())
    for method in (client.get, client.post):
        response = method(url)
        html = response.content.decode()
        assert response.status_code == 403
        assert "Producers only" in html and "Hidden Work" not in html
    assert Album.objects.count() == 1  # the listener's POST made nothing


def test_the_producer_album_list_starts_empty_and_creates_an_album(producer_client: Client):
    html = producer_client.get("/producer/albums/").content.decode()
    assert "No albums yet." in html
    assert 'name="title"' in html and 'name="target_minutes"' in html

    response = producer_client.post(
        "/producer/albums/",
        {
            "title": "  Night Drive ",
            "description": "Neon and rain",
            "target_count": "8",
            "target_minutes": "40",
        },
    )
    album = Album.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/producer/albums/{album.pk}/"
    assert (album.title, album.description) == ("Night Drive", "Neon and rain")
    assert (album.target_count, album.target_length_s) == (8, 2400)
    assert album.created_by == producer_client.producer  # type: ignore[attr-defined]

    html = producer_client.get("/producer/albums/").content.decode()
    assert "Night Drive" in html and "0 tracks of 8" in html and "not published yet" in html


@pytest.mark.parametrize(
    ("form", "problem"),
    [
        ({"title": ""}, "Title: This field is required."),
        ({"title": "   "}, "Title: This field is required."),
        ({"title": "X", "target_count": "0"}, "Target track count: Ensure this value is greater"),
        (
            {"title": "X", "target_minutes": "many"},
            "Target length (minutes): Enter a whole number.",
        ),
    ],
)
def test_a_bad_new_album_form_shows_what_is_wrong(producer_client: Client, form, problem: str):
    response = producer_client.post("/producer/albums/", form)
    html = response.content.decode()
    assert response.status_code == 200
    assert problem in html
    assert 'class="message message-error"' in html
    assert not Album.objects.exists()


def test_the_producer_album_list_reads_any_number_of_albums_in_one_query(
    producer_client: Client, django_assert_num_queries
):
    producer = producer_client.producer  # type: ignore[attr-defined]
    published_album(producer, "Out", ReadyTrackFactory.create_batch(2))
    producer_client.get("/producer/albums/")

    def queries() -> int:
        # Session, user, is_producer's group check, then the list itself.
        with django_assert_num_queries(4):
            html = producer_client.get("/producer/albums/").content.decode()
        return html.count('class="album-card"')

    assert queries() == 1
    for n in range(4):
        album = services.album_create(user=producer, title=f"Draft {n}")
        services.album_tracklist_set(
            album_id=album.pk, user=producer, track_ids=[ReadyTrackFactory.create().pk]
        )
    assert queries() == 5


def test_the_workspace_shows_the_tracklist_totals_transitions_and_versions(
    producer_client: Client,
):
    producer = producer_client.producer  # type: ignore[attr-defined]
    first = ReadyTrackFactory.create(
        title="Opening", camelot="8A", key="A minor", tempo_bpm=100.0, duration_s=120
    )
    second = ReadyTrackFactory.create(
        title="Closing", camelot="9A", key="E minor", tempo_bpm=105.0, duration_s=150
    )
    album = services.album_create(
        user=producer, title="Workbench", target_count=6, target_length_s=1800
    )
    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[first.pk, second.pk])
    services.album_finalize(album_id=album.pk, user=producer)
    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[second.pk, first.pk])
    services.album_update(album_id=album.pk, user=producer, pinned_last=first.pk)

    response = producer_client.get(f"/producer/albums/{album.pk}/")
    html = response.content.decode()
    page = text(html)
    assert response.status_code == 200
    assert rows(html, "data-tracklist") == ["Closing", "Opening"]
    assert "Tracks 2 of 6" in page and "Length 4:30 of 30:00" in page
    assert "Keys 9A, 8A" in page and "Tempo 100\u2013105 BPM" in page
    transition = re.search(r'<p class="ws-transition" data-transition>(.*?)</p>', html, re.S)
    assert transition and "9A → 8A" in text(transition.group(1))
    assert "Version 1 · finalized" in page and f"by {producer.username}" in page
    assert 'data-export="1"' in html
    assert 'aria-label="Move Opening up"' in html and 'aria-label="Remove Closing"' in html
    assert 'type="range"' in html and "Crowd weight: 0.60" in page
    assert f'data-album-id="{album.pk}"' in html
    closing = re.search(r'<select id="ws-pinned-last".*?</select>', html, re.S)
    assert closing and f'<option value="{first.pk}" selected>Opening</option>' in closing.group(0)
    opening = re.search(r'<select id="ws-pinned-first".*?</select>', html, re.S)
    assert opening and " selected" not in opening.group(0)


def test_the_workspace_writes_lengths_by_the_sites_one_rule(producer_client: Client):
    """Halves round up (122.5 s is 2:03), in the rows and the totals alike."""
    producer = producer_client.producer  # type: ignore[attr-defined]
    half = ReadyTrackFactory.create(title="Half", duration_s=122.5)
    album = services.album_create(user=producer, title="Halves", target_length_s=1830)
    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[half.pk])
    page = text(producer_client.get(f"/producer/albums/{album.pk}/").content.decode())
    assert "Length 2:03 of 30:30" in page
    row = re.search(r"Half 2:03", page)
    assert row, "the row does not say 2:03"


def test_each_version_offers_its_export_with_or_without_stems(producer_client: Client):
    """Beside each version's export button, a checkbox asks for the stems too: off by default,
    labelled, and explained (what it adds, and that the archive is much bigger)."""
    producer = producer_client.producer  # type: ignore[attr-defined]
    a, b = ReadyTrackFactory.create_batch(2)
    album = published_album(producer, "Stems", [a, b])
    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[b.pk])
    services.album_finalize(album_id=album.pk, user=producer)

    html = producer_client.get(f"/producer/albums/{album.pk}/").content.decode()
    for number in (1, 2):
        item = re.search(rf'<li data-version="{number}">.*?</li>', html, re.S)
        assert item, f"no version {number}"
        button = re.search(rf"<button [^>]*data-export=\"{number}\"[^>]*>", item.group(0))
        checkbox = re.search(r'<input [^>]*type="checkbox"[^>]*>', item.group(0))
        assert button and checkbox, item.group(0)
        assert "data-export-stems" in checkbox.group(0) and "checked" not in checkbox.group(0)
        box_id = re.search(r'id="([^"]+)"', checkbox.group(0))
        assert box_id
        label = re.search(rf'<label for="{box_id.group(1)}">(.*?)</label>', item.group(0), re.S)
        assert label and "stems" in text(label.group(1)).lower()
        described = re.search(r'aria-describedby="([^"]+)"', checkbox.group(0))
        assert described
        note = re.search(rf'<p [^>]*id="{described.group(1)}"[^>]*>(.*?)</p>', html, re.S)
        assert note, "the checkbox's explanation is missing"
        explained = text(note.group(1))
        assert "FLAC" in explained and "MIDI" in explained and "larger" in explained


def test_the_workspace_of_an_unknown_album_is_a_404(producer_client: Client):
    response = producer_client.get("/producer/albums/424242/")
    assert response.status_code == 404
    assert "Nothing here" in response.content.decode()


def test_the_workspace_labels_the_crowd_score_and_asks_before_publishing(
    producer_client: Client,
):
    producer = producer_client.producer  # type: ignore[attr-defined]
    loved = rated(3, 1, title="Loved")
    quiet = ReadyTrackFactory.create(title="Quiet")  # no feedback at all
    album = services.album_create(user=producer, title="Labels")
    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[loved.pk, quiet.pk])
    loved.stats.refresh_from_db()

    html = producer_client.get(f"/producer/albums/{album.pk}/").content.decode()
    tracklist = html[
        html.index("data-tracklist") : html.index("</ol>", html.index("data-tracklist"))
    ]
    figures = re.findall(r'<span class="ws-crowd" title="([^"]+)">(.*?)</span>', tracklist, re.S)
    assert [text(shown) for _, shown in figures] == [
        f"Crowd score {loved.stats.crowd_score:.2f}",
        f"Crowd score {EMPTY_CROWD_SCORE:.2f}",
    ]
    tooltip = figures[0][0]
    assert "0 to 1" in tooltip and "ratings" in tooltip and f"{EMPTY_CROWD_SCORE:.2f}" in tooltip
    # The script labels its figures with the same words.
    assert f'data-crowd-help="{tooltip}"' in html
    assert "data-suggestion-help=" in html

    # Publishing asks first, in a dialog that says what becomes public.
    dialog = re.search(r"<dialog [^>]*data-confirm-publish.*?</dialog>", html, re.S)
    assert dialog, "no confirmation dialog"
    said = text(dialog.group(0))
    assert "public album page" in said and "Cancel" in said
    assert 'aria-labelledby="' in dialog.group(0)

    # Downloads: a setting of the album, off by default.
    checkbox = re.search(r'<input [^>]*name="allow_download"[^>]*>', html)
    assert checkbox and "checked" not in checkbox.group(0)
    services.album_update(album_id=album.pk, user=producer, allow_download=True)
    html = producer_client.get(f"/producer/albums/{album.pk}/").content.decode()
    checkbox = re.search(r'<input [^>]*name="allow_download"[^>]*>', html)
    assert checkbox and "checked" in checkbox.group(0)
