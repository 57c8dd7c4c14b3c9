"""The public album pages through Django's test client: the albums page and an album's page
(its tracklist, cover, sharing and download), and query counts that do not grow. The producers'
pages are in test_album_workspace_page.py."""

import re
from pathlib import Path

import pytest
from django.test import Client

from curation.albums import cover, services
from tests.curation.albums.helpers import (
    content,
    export_of,
    meta,
    published_album,
    rated,
    rows,
    text,
)
from tests.factories import ProducerFactory, ReadyTrackFactory, UserFactory

pytestmark = pytest.mark.django_db


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
    dawn = rated(
        5, 4, title="Dawn Chorus", key="A minor", camelot="8A", tempo_bpm=96.0, duration_s=125
    )
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


def test_album_lengths_are_written_as_everywhere_on_the_site(client: Client):
    """The site's one rule for lengths (generation/templatetags/formats.py): halves round up,
    so 122.5 s is 2:03 on the album page and the albums page, as on a track's own page."""
    producer = ProducerFactory.create()
    album = published_album(
        producer, "Halves", [ReadyTrackFactory.create(title="Half", duration_s=122.5)]
    )
    page = text(client.get(f"/albums/{album.pk}/").content.decode())
    assert "Length 2:03" in page and "Total length 2:03" in page
    assert "2:02" not in page
    listing = text(client.get("/albums/").content.decode())
    assert "1 track 2:03" in listing


def test_a_second_finalize_publishes_the_new_version(client: Client):
    producer = ProducerFactory.create()
    a, b = ReadyTrackFactory.create(title="Alpha"), ReadyTrackFactory.create(title="Beta")
    album = published_album(producer, "Twice", [a, b])
    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[b.pk, a.pk])
    services.album_finalize(album_id=album.pk, user=producer)
    html = client.get(f"/albums/{album.pk}/").content.decode()
    assert rows(html, "data-album-tracklist") == ["Beta", "Alpha"]
    assert "Version 2, finalized" in html


# --- the public album page as people share it ------------------------------------------------


def test_the_album_page_shows_the_cover_drawn_once_and_kept(
    client: Client, media_root: Path, monkeypatch: pytest.MonkeyPatch
):
    producer = ProducerFactory.create()
    tracks = [
        ReadyTrackFactory.create(title=t, camelot=k, peaks=[0.1, 0.8, 0.4] * 20)
        for t, k in (("Dawn", "8A"), ("Dusk", "3B"))
    ]
    album = published_album(producer, "Harbour Lights", tracks)
    html = client.get(f"/albums/{album.pk}/").content.decode()
    cover_url = f"/albums/{album.pk}/cover-1.jpg"
    img = re.search(r"<img [^>]*data-album-cover[^>]*>", html)
    assert img, "no cover image"
    assert f'src="{cover_url}"' in img.group(0)
    alt = re.search(r'alt="([^"]+)"', img.group(0))
    assert alt and "Harbour Lights" in alt.group(1)

    first = client.get(cover_url)
    assert first.status_code == 200
    assert first["Content-Type"] == "image/jpeg"
    body = content(first)
    assert body[:3] == b"\xff\xd8\xff"
    assert "max-age" in first["Cache-Control"]
    stored = list(media_root.rglob("*.jpg"))
    assert len(stored) == 1 and stored[0].read_bytes() == body

    # Kept: asking again serves the stored file without drawing it again.
    def no_second_drawing(*args, **kwargs):
        raise AssertionError("the cover was drawn twice")

    monkeypatch.setattr(cover, "render", no_second_drawing)
    again = client.get(cover_url)
    assert again.status_code == 200
    assert content(again) == body


def test_only_the_published_versions_cover_is_served(client: Client):
    producer = ProducerFactory.create()
    a, b = ReadyTrackFactory.create_batch(2)
    album = published_album(producer, "Twice", [a, b])
    draft = services.album_create(user=producer, title="Draft")
    assert client.get(f"/albums/{draft.pk}/cover-1.jpg").status_code == 404
    assert client.get(f"/albums/{album.pk}/cover-2.jpg").status_code == 404
    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[b.pk])
    services.album_finalize(album_id=album.pk, user=producer)
    assert client.get(f"/albums/{album.pk}/cover-1.jpg").status_code == 404
    assert client.get(f"/albums/{album.pk}/cover-2.jpg").status_code == 200
    assert f"/albums/{album.pk}/cover-2.jpg" in client.get(f"/albums/{album.pk}/").content.decode()


def test_the_album_page_plays_all_or_one_track(client: Client):
    producer = ProducerFactory.create()
    album = published_album(producer, "Play", [ReadyTrackFactory.create(title=t) for t in "AB"])
    html = client.get(f"/albums/{album.pk}/").content.decode()
    play_all = re.search(r"<button [^>]*data-play-all[^>]*>(.*?)</button>", html, re.S)
    assert play_all and "Play all" in text(play_all.group(0))
    assert 'aria-label="Play A"' in html and 'aria-label="Play B"' in html
    assert html.count("data-play-item") == 2


def test_the_album_page_has_a_share_link_and_open_graph_tags(client: Client):
    producer = ProducerFactory.create()
    album = published_album(
        producer, "Harbour Lights", ReadyTrackFactory.create_batch(2), description="Night ferry."
    )
    html = client.get(f"/albums/{album.pk}/").content.decode()
    url = f"http://testserver/albums/{album.pk}/"
    cover_url = f"http://testserver/albums/{album.pk}/cover-1.jpg"
    assert f'<link rel="canonical" href="{url}">' in html
    share = re.search(r"<button [^>]*data-copy-link[^>]*>(.*?)</button>", html, re.S)
    assert share and "Copy link" in text(share.group(0))
    assert f'data-url="{url}"' in share.group(0)
    assert meta(html, "og:type") == "music.album"
    assert meta(html, "og:title") == "Harbour Lights"
    assert meta(html, "og:url") == url
    assert meta(html, "og:image") == cover_url
    assert "Harbour Lights" in (meta(html, "og:image:alt") or "")
    assert "Night ferry." in (meta(html, "og:description") or "")
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "twitter:image") == cover_url
    assert meta(html, "twitter:title") == "Harbour Lights"


def test_a_new_album_shows_crowd_figures_only_once_there_are_some(client: Client):
    producer = ProducerFactory.create()
    fresh = published_album(producer, "Fresh", ReadyTrackFactory.create_batch(2))
    page = text(client.get(f"/albums/{fresh.pk}/").content.decode())
    for absent in ("0 ratings", "Ratings at release", "Plays at release", "No ratings"):
        assert absent not in page
    assert "Crowd figures are as they stood" not in page

    heard = published_album(
        producer, "Heard", [rated(4, 3, title="Loved"), ReadyTrackFactory.create(title="Quiet")]
    )
    page = text(client.get(f"/albums/{heard.pk}/").content.decode())
    assert "Ratings at release 3" in page
    assert "★ Average 4.0 3 ratings" in page
    assert "No ratings" not in page
    assert "Crowd figures are as they stood" in page


def test_the_download_link_shows_only_when_allowed_and_exported(client: Client):
    producer = ProducerFactory.create()
    a, b = ReadyTrackFactory.create_batch(2)
    album = published_album(producer, "Harbour Lights", [a, b])
    download = f"/albums/{album.pk}/download/"

    def offered() -> bool:
        return download in client.get(f"/albums/{album.pk}/").content.decode()

    # Off by default, even once exported.
    export_of(album, 1)
    assert not offered() and client.get(download).status_code == 404
    services.album_update(album_id=album.pk, user=producer, allow_download=True)
    assert offered()
    response = client.get(download)
    assert response.status_code == 200
    assert content(response)[:2] == b"PK"
    assert response["Content-Type"] == "application/zip"
    assert 'attachment; filename="Harbour Lights v1.zip"' in response["Content-Disposition"]

    # A new version is offered only once it has an export of its own.
    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[b.pk])
    services.album_finalize(album_id=album.pk, user=producer)
    assert not offered() and client.get(download).status_code == 404
    export_of(album, 2)
    assert offered() and client.get(download).status_code == 200
    services.album_update(album_id=album.pk, user=producer, allow_download=False)
    assert not offered() and client.get(download).status_code == 404


def test_the_album_page_costs_the_same_queries_however_long_the_album(
    client: Client, django_assert_max_num_queries
):
    producer = ProducerFactory.create()
    short = published_album(producer, "Short", ReadyTrackFactory.create_batch(1))
    long = published_album(producer, "Long", ReadyTrackFactory.create_batch(8))
    services.album_update(album_id=long.pk, user=producer, allow_download=True)
    client.get(f"/albums/{short.pk}/")
    with django_assert_max_num_queries(3):
        assert client.get(f"/albums/{short.pk}/").status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(f"/albums/{long.pk}/").status_code == 200


def test_unpublished_and_unknown_albums_are_the_sites_404(client: Client):
    draft = services.album_create(user=ProducerFactory.create(), title="Draft")
    for path in (f"/albums/{draft.pk}/", "/albums/987654/", "/albums/9999999999999999/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Nothing here" in response.content.decode()
        assert "Draft" not in response.content.decode()
