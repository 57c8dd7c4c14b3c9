"""RSS, Atom and JSON feeds of the top and newest tracks, with the MP3 as enclosure."""

import json
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from curation.models import TrackStats
from tests.factories import ReadyTrackFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def tracks():
    """An older, loved track and a newer, unrated one, each with a 1,234-byte MP3."""
    loved = ReadyTrackFactory.create(title="Loved", finished_at=timezone.now() - timedelta(days=1))
    fresh = ReadyTrackFactory.create(title="Fresh", finished_at=timezone.now())
    for track in (loved, fresh):
        track.audio_mp3.save("a.mp3", ContentFile(b"\xff" * 1234))
    TrackStats.objects.create(track=loved, rating_count=40, rating_sum=190, stars_4=10, stars_5=30)
    TrackStats.objects.create(track=fresh)
    return loved, fresh


def test_rss_lists_tracks_with_mp3_enclosures_top_first(client, tracks):
    loved, _ = tracks
    response = client.get("/feeds/top.rss")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    items = ET.fromstring(response.content).findall("./channel/item")
    assert [item.findtext("title") for item in items] == ["Loved", "Fresh"]
    enclosure = items[0].find("enclosure")
    assert enclosure is not None
    assert enclosure.get("url") == f"http://testserver/tracks/{loved.pk}/audio.mp3"
    assert enclosure.get("length") == "1234"
    assert enclosure.get("type") == "audio/mpeg"
    assert "40 ratings" in (items[0].findtext("description") or "")


def test_atom_lists_the_newest_first_with_enclosure_links(client, tracks):
    _, fresh = tracks
    response = client.get("/feeds/new.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    entries = ET.fromstring(response.content).findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Fresh", "Loved"]
    links = {link.get("rel"): link for link in entries[0].findall(f"{ATOM}link")}
    assert links["enclosure"].get("href") == f"http://testserver/tracks/{fresh.pk}/audio.mp3"
    assert links["enclosure"].get("length") == "1234"


def test_json_feed_follows_version_1_1(client, tracks):
    loved, _ = tracks
    response = client.get("/feeds/top.json")
    assert response["Content-Type"] == "application/feed+json"
    feed = json.loads(response.content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == "http://testserver/feeds/top.json"
    first = feed["items"][0]
    assert first["title"] == "Loved"
    assert first["url"] == f"http://testserver/tracks/{loved.pk}/"
    assert first["attachments"] == [
        {
            "url": f"http://testserver/tracks/{loved.pk}/audio.mp3",
            "mime_type": "audio/mpeg",
            "size_in_bytes": 1234,
            "duration_in_seconds": 120,
        }
    ]


@pytest.mark.parametrize("path", ["/feeds/top.rss", "/feeds/new.atom", "/feeds/new.json"])
def test_feeds_are_valid_when_there_are_no_tracks(client, path):
    response = client.get(path)
    assert response.status_code == 200
    if path.endswith(".json"):
        assert json.loads(response.content)["items"] == []
    else:
        ET.fromstring(response.content)


def test_a_missing_audio_file_does_not_break_the_feed(client, tracks):
    loved, _ = tracks
    loved.audio_mp3.storage.delete(loved.audio_mp3.name)
    items = ET.fromstring(client.get("/feeds/top.rss").content).findall("./channel/item")
    enclosure = items[0].find("enclosure")
    assert enclosure is not None and enclosure.get("length") == "0"


@pytest.mark.parametrize("path", ["/feeds/top.rss", "/feeds/new.json"])
def test_feed_queries_do_not_grow_with_tracks(client, tracks, path, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # the site mean, the tracks (with their stats)
        client.get(path)
    for _ in range(10):
        ReadyTrackFactory.create()
    with django_assert_max_num_queries(3):
        client.get(path)


def test_pages_advertise_the_feeds(client):
    page = client.get("/").content.decode()
    assert 'type="application/rss+xml"' in page and 'href="/feeds/top.rss"' in page
    assert 'href="/feeds/new.json"' in page
