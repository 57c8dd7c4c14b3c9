"""One rule each, on every page: how durations and dates are written, the favicon, the phone
header's menu button, and the feeds named as feeds (the API as the API)."""

import re
from datetime import UTC, datetime

import pytest
from django.contrib.staticfiles import finders
from django.template import Context, Template
from django.test import Client
from django.utils import timezone

from generation.models import GenerationBatch
from generation.templatetags.formats import duration
from tests.factories import GenerationBatchFactory, ReadyTrackFactory

pytestmark = pytest.mark.django_db

# 23:31 UTC on 3 December 2026: a time of day past noon and a single-digit day.
LATE = datetime(2026, 12, 3, 23, 31, 40, tzinfo=UTC)
ONE_FORMAT = "3 Dec 2026, 23:31"


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


# --- durations: the nearest whole second, halves up (as util.formatTime does) -------------------


@pytest.mark.parametrize(
    ("seconds", "label"),
    [
        (0, "0:00"),
        (0.49, "0:00"),
        (0.5, "0:01"),
        (121.4, "2:01"),
        (121.6, "2:02"),  # the walk-through's track: the list said 2:02, the player 2:01
        (122.5, "2:03"),  # a half rounds up, never to the even neighbour
        (59.5, "1:00"),
        (3599.6, "1:00:00"),
        (3725.0, "1:02:05"),
        (None, ""),
        (-3, "0:00"),
    ],
)
def test_a_duration_is_written_to_the_nearest_second(seconds, label):
    assert duration(seconds) == label
    rendered = Template("{% load formats %}{{ value|duration }}").render(
        Context({"value": seconds})
    )
    assert rendered == label


def test_the_list_and_the_track_page_write_a_length_alike(client: Client):
    track = ReadyTrackFactory.create(title="Odd Length", duration_s=122.5)
    listing = text(client.get("/tracks/").content.decode())
    page = text(client.get(f"/tracks/{track.pk}/").content.decode())
    assert "2:03" in listing and "2:02" not in listing
    assert "Length 2:03" in page and "2:02" not in page
    assert track.duration_label == "2:03"


# --- dates: one format, the site's time zone ----------------------------------------------------


def test_dates_are_written_one_way_on_the_home_and_batch_pages(client: Client, settings):
    settings.TIME_ZONE = "UTC"
    batch = GenerationBatchFactory.create(finished_at=LATE, count=2)
    GenerationBatch.objects.filter(pk=batch.pk).update(created_at=LATE)
    ReadyTrackFactory.create(batch=batch)
    ReadyTrackFactory.create(batch=batch)

    batch_page = text(client.get(f"/batches/{batch.pk}/").content.decode())
    assert f"Launched {ONE_FORMAT}" in batch_page and f"finished {ONE_FORMAT}" in batch_page
    home = text(client.get("/").content.decode())
    assert f"Composed {ONE_FORMAT}" in home


def test_the_date_settings_are_the_one_format(settings):
    settings.TIME_ZONE = "UTC"
    rendered = Template('{{ when|date:"DATETIME_FORMAT" }} | {{ when|date }}').render(
        Context({"when": LATE})
    )
    assert rendered == f"{ONE_FORMAT} | 3 Dec 2026"
    with timezone.override("Europe/Berlin"):
        assert Template("{{ when }}").render(Context({"when": LATE})) == "4 Dec 2026, 00:31"


def test_every_page_tells_scripts_the_site_time_zone(client: Client, settings):
    settings.TIME_ZONE = "Europe/Dublin"
    html = client.get("/").content.decode()
    assert re.search(r'<html lang="en" data-time-zone="Europe/Dublin"', html)


# --- the favicon ------------------------------------------------------------------------------


def test_favicon_ico_leads_to_the_svg_icon(client: Client):
    response = client.get("/favicon.ico")
    assert response.status_code in (301, 302)
    assert response["Location"].endswith("favicon.svg")
    assert finders.find("favicon.svg")
    html = client.get("/").content.decode()
    assert re.search(r'<link rel="icon" href="/static/favicon[^"]*\.svg"', html)


# --- the header on phones -------------------------------------------------------------------------


def test_the_header_has_a_menu_button_that_discloses_the_nav(client: Client):
    html = client.get("/").content.decode()
    button = re.search(r"<button[^>]*data-menu-toggle[^>]*>", html)
    assert button, "no menu button"
    assert 'aria-expanded="false"' in button.group(0)
    assert 'aria-controls="site-nav"' in button.group(0)
    assert re.search(r'<nav class="site-nav" id="site-nav" aria-label="Main"', html)


# --- feeds are feeds, the API is the API ----------------------------------------------------------


def test_how_ranking_works_names_the_feeds_and_puts_the_api_beside_them(client: Client):
    html = client.get("/how-ranking-works/").content.decode()
    links = dict(
        (href, text(label)) for href, label in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', html)
    )
    assert links["/feeds/top.rss"] == "RSS"
    assert links["/feeds/top.atom"] == "Atom"
    assert links["/feeds/top.json"] == "JSON Feed"
    assert links["/feeds/new.rss"] == "RSS"
    assert "/feeds/new.atom" in links and "/feeds/new.json" in links
    assert "API" in links["/api/v1/rankings/"] and "feed" not in links["/api/v1/rankings/"]
    assert "rankings feed" not in text(html)
