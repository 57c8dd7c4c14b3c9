"""The album pages through Django's test client: the public albums and album page, the
producers' album list and workspace, who may see them, and query counts that do not grow."""

import re

import pytest
from django.test import Client

from curation.albums import services
from curation.albums.models import Album
from curation.models import TrackStats
from tests.factories import ProducerFactory, ReadyTrackFactory, UserFactory

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def rows(html: str, list_marker: str) -> list[str]:
    """The data-title of each row of the list carrying `list_marker`, in page order."""
    start = html.index(list_marker)
    end = html.index("</ol>", start)
    return re.findall(r'<li class="[^"]*"[^>]*data-title="([^"]*)"', html[start:end])


def rated(title: str, stars: int, count: int, **fields):
    track = ReadyTrackFactory.create(title=title, **fields)
    TrackStats.objects.create(
        track=track, rating_count=count, rating_sum=stars * count, **{f"stars_{stars}": count}
    )
    return track


def published_album(producer, title: str, tracks, **fields) -> Album:
    album = services.album_create(user=producer, title=title, **fields)
    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[t.pk for t in tracks])
    services.album_finalize(album_id=album.pk, user=producer)
    return album


@pytest.fixture
def producer_client(client: Client):
    producer = ProducerFactory.create()
    client.force_login(producer)
    client.producer = producer  # type: ignore[attr-defined]
    return client


# --- public --------------------------------------------------------------------------------


def test_the_albums_page_says_none_are_out_yet_and_the_nav_links_it(client: Client):
    response = client.get("/albums/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "No albums have been released yet." in html
    assert '<a href="/albums/" aria-current="page">Albums</a>' in html
    assert 'href="/static/css/albums.css"' in html


def test_the_albums_page_leads_producers_to_their_workspace(client: Client):
    client.force_login(UserFactory.create())
    assert "Albums in the making" not in client.get("/albums/").content.decode()
    client.force_login(ProducerFactory.create())
    html = client.get("/albums/").content.decode()
    assert '<a class="button-secondary" href="/producer/albums/">Albums in the making</a>' in html


def test_the_albums_page_lists_published_albums_only(client: Client):
    producer = ProducerFactory.create()
    published_album(producer, "Night Drive", ReadyTrackFactory.create_batch(2))
    services.album_create(user=producer, title="Secret Draft")
    html = client.get("/albums/").content.decode()
    assert "Night Drive" in html and "2 tracks" in html and "version 1" in html
    assert "Secret Draft" not in html
    assert "No albums have been released yet." not in html


def test_the_albums_page_reads_any_number_of_albums_in_one_query(
    client: Client, django_assert_num_queries
):
    producer = ProducerFactory.create()
    published_album(producer, "First", ReadyTrackFactory.create_batch(1))
    client.get("/albums/")  # session and the like, once
    with django_assert_num_queries(1):
        assert client.get("/albums/").status_code == 200
    for n in range(4):
        published_album(producer, f"More {n}", ReadyTrackFactory.create_batch(2))
    with django_assert_num_queries(1):
        html = client.get("/albums/").content.decode()
    assert html.count('class="album-card"') == 5


def test_the_album_page_shows_the_finalized_tracklist_in_order_without_producer_notes(
    client: Client,
):
    producer = ProducerFactory.create()
    dawn = rated("Dawn Chorus", 5, 4, key="A minor", camelot="8A", tempo_bpm=96.0, duration_s=125)
    tide = ReadyTrackFactory.create(title="Low Tide", duration_s=61, tempo_bpm=100.0)
    ember = ReadyTrackFactory.create(title="Ember", duration_s=90)
    services.pick_update(
        track_id=dawn.pk, user=producer, shortlisted=True, notes="PRIVATE NOTE", tags=["opener"]
    )
    services.pick_update(track_id=ember.pk, user=producer, vetoed=True, notes="too loud")
    album = published_album(
        producer, "Harbour Lights", [tide, dawn], description="Songs for the night ferry."
    )
    # Edits after finalizing make the next version; the public page keeps showing version 1.
    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[dawn.pk])

    response = client.get(f"/albums/{album.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert rows(html, "data-album-tracklist") == ["Low Tide", "Dawn Chorus"]
    page = text(html)
    assert "Harbour Lights" in page and "Songs for the night ferry." in page
    assert re.search(r"Version 1, finalized \d{1,2} \w{3} \d{4}", page)
    assert "3:06" in page  # 61 s + 125 s
    assert "2:05" in page and "A minor (8A)" in page and "96 BPM" in page
    assert "★ Average 5.0 4 ratings" in page
    # The player's data attributes, as on every track list.
    assert f'data-opus="/tracks/{dawn.pk}/audio.opus"' in html
    assert f'data-peaks="/tracks/{dawn.pk}/peaks.json"' in html
    assert "data-queue" in html and 'aria-label="Play Low Tide"' in html
    for secret in ("PRIVATE NOTE", "opener", "shortlist", "too loud", "veto", "Ember"):
        assert secret not in html


def test_a_second_finalize_publishes_the_new_version(client: Client):
    producer = ProducerFactory.create()
    a, b = ReadyTrackFactory.create(title="Alpha"), ReadyTrackFactory.create(title="Beta")
    album = published_album(producer, "Twice", [a, b])
    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[b.pk, a.pk])
    services.album_finalize(album_id=album.pk, user=producer)
    html = client.get(f"/albums/{album.pk}/").content.decode()
    assert rows(html, "data-album-tracklist") == ["Beta", "Alpha"]
    assert "Version 2, finalized" in html


def test_unpublished_and_unknown_albums_are_the_sites_404(client: Client):
    draft = services.album_create(user=ProducerFactory.create(), title="Draft")
    for path in (f"/albums/{draft.pk}/", "/albums/987654/", "/albums/9999999999999999/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Nothing here" in response.content.decode()
        assert "Draft" not in response.content.decode()


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


def test_the_workspace_of_an_unknown_album_is_a_404(producer_client: Client):
    response = producer_client.get("/producer/albums/424242/")
    assert response.status_code == 404
    assert "Nothing here" in response.content.decode()
