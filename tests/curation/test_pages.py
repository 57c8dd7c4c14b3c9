"""The listener's pages through Django's test client: content, empty states, accessible names,
sorts and filters, 404s, accounts, and query counts that do not grow with the data."""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from curation.services import ratings
from generation.models import Track
from tests.curation.helpers import listen, play_over_http
from tests.factories import (
    GenerationBatchFactory,
    ListenerFactory,
    ProducerFactory,
    ReadyTrackFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

STAR_NAMES = ["Rate 1 star", "Rate 2 stars", "Rate 3 stars", "Rate 4 stars", "Rate 5 stars"]


def finished_batch(**kwargs):
    return GenerationBatchFactory.create(finished_at=timezone.now(), **kwargs)


def rate(track: Track, stars: int) -> None:
    listener = ListenerFactory.create()
    listen(listener, track, 25)
    ratings.rating_submit(listener_id=listener.pk, track_id=track.pk, stars=stars)


def section(html: str, heading_id: str) -> str:
    """The markup of the <section> labelled by `heading_id`."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


def titles(html: str) -> list[str]:
    return re.findall(r'<li class="track-card"[^>]*data-title="([^"]*)"', html)


def text(html: str) -> str:
    """Visible-ish text: tags dropped, whitespace squashed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def json_script(html: str, element_id: str):
    """The data a page hands its scripts with Django's json_script filter."""
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html)
    assert match, f"no json_script {element_id}"
    return json.loads(match.group(1))


def play_button(html: str) -> str:
    match = re.search(r'<button[^>]*data-player="toggle"[^>]*>', html)
    assert match, "the player bar has no play button"
    return match.group(0)


# --- the frame every page shares -----------------------------------------------------------


def test_every_page_has_the_player_skip_link_and_a_csrf_cookie(client: Client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-label="Play"' in play_button(html)
    assert 'aria-label="Previous"' in html and 'aria-label="Next"' in html
    assert 'role="slider"' in section_of_player(html)
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in html
    assert '<main id="main"' in html
    assert "csrftoken" in response.cookies
    assert 'id="live-status" role="status" hidden' in html


def section_of_player(html: str) -> str:
    start = html.index('<section class="player"')
    return html[start : html.index("</section>", start)]


def test_the_header_shows_who_is_signed_in_and_admin_only_to_producers(client: Client):
    anonymous = client.get("/").content.decode()
    assert ">Log in<" in anonymous and ">Sign up<" in anonymous
    assert "Log out" not in anonymous

    client.force_login(UserFactory.create(username="ada"))
    listener_page = client.get("/").content.decode()
    assert "ada" in listener_page
    assert 'action="/accounts/logout/"' in listener_page and ">Log out<" in listener_page
    assert 'href="/admin/"' not in listener_page

    producer = ProducerFactory.create(username="grace", is_staff=True)
    client.force_login(producer)
    producer_page = client.get("/").content.decode()
    assert "grace" in producer_page and 'href="/admin/">Admin<' in producer_page


# --- home ------------------------------------------------------------------------------------


def test_home_when_there_is_nothing_yet(client: Client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "No tracks yet" in section(html, "new-heading")
    assert "No ratings yet" in section(html, "top-heading")
    assert "No batch has published a track yet" in section(html, "batch-heading")
    assert "is composing" not in html
    assert "disabled" in play_button(html)  # nothing to play


def test_home_while_the_first_batch_is_composing(client: Client):
    batch = GenerationBatchFactory.create(count=4)
    TrackFactory.create(batch=batch, status=Track.Status.COMPOSING)
    TrackFactory.create(batch=batch, status=Track.Status.REJECTED)
    html = client.get("/").content.decode()
    assert "No tracks yet — the first batch is composing" in text(section(html, "new-heading"))
    assert f"Batch {batch.pk} is composing: 1 of 2 tracks done." in text(html)
    assert '<progress class="composing-progress" max="2" value="1"' in html


def test_home_lists_new_top_and_latest_batch_tracks(client: Client):
    old_batch = finished_batch()
    older = ReadyTrackFactory.create(
        title="Old Heron", batch=old_batch, finished_at=timezone.now() - timedelta(days=2)
    )
    latest = finished_batch()
    fresh = ReadyTrackFactory.create(title="Fresh Wren", batch=latest, preset="waltz")
    unrated = ReadyTrackFactory.create(title="Quiet Finch", batch=latest)
    TrackFactory.create(title="Still Composing", batch=latest, status=Track.Status.COMPOSING)
    rate(older, 5)
    rate(fresh, 3)

    html = client.get("/").content.decode()
    assert titles(section(html, "new-heading")) == ["Quiet Finch", "Fresh Wren", "Old Heron"]
    assert titles(section(html, "top-heading")) == ["Old Heron", "Fresh Wren"]
    # The latest batch's tracks are all under "New tracks" already: named, not listed again.
    assert titles(section(html, "batch-heading")) == []
    assert "Its 2 tracks are listed under New tracks above." in text(section(html, "batch-heading"))
    assert f'href="/batches/{latest.pk}/"' in section(html, "batch-heading")
    assert "Still Composing" not in html

    new = section(html, "new-heading")
    assert f'aria-label="Play {fresh.title}"' in new
    assert f'data-opus="/tracks/{fresh.pk}/audio.opus"' in new
    assert f'data-mp3="/tracks/{fresh.pk}/audio.mp3"' in new
    assert f'data-peaks="/tracks/{fresh.pk}/peaks.json"' in new
    assert "Waltz" in new and "D major (10B)" in new and "112 BPM" in new and "2:00" in new
    top = text(section(html, "top-heading"))
    assert "Average 5.0 1 rating" in top and "Average 3.0 1 rating" in top
    assert f'data-track-id="{unrated.pk}"' not in section(html, "top-heading")


def test_first_run_home_lists_each_track_once(client: Client):
    batch = finished_batch(count=6)
    for n in range(6):
        ReadyTrackFactory.create(batch=batch, title=f"First {n}")
    html = client.get("/").content.decode()
    assert len(titles(section(html, "new-heading"))) == 6
    assert titles(section(html, "batch-heading")) == []
    assert len(titles(html)) == 6
    batch_part = text(section(html, "batch-heading"))
    assert (
        f"Batch {batch.pk}" in batch_part
        and "Its 6 tracks are listed under New tracks above." in batch_part
    )


def test_home_lists_the_latest_batch_tracks_new_tracks_leave_out(client: Client):
    latest = finished_batch(count=10)
    ten = [ReadyTrackFactory.create(batch=latest, title=f"Latest {n}") for n in range(10)]
    html = client.get("/").content.decode()
    new = titles(section(html, "new-heading"))
    assert len(new) == 8
    rest = titles(section(html, "batch-heading"))
    assert sorted(rest) == sorted({t.title for t in ten} - set(new))
    assert "2 more of its 10 tracks" in text(section(html, "batch-heading"))


def test_home_queries_do_not_grow_with_tracks(client: Client, django_assert_max_num_queries):
    batch = finished_batch()
    for n in range(3):
        rate(ReadyTrackFactory.create(batch=batch, title=f"Small {n}"), 4)
    with django_assert_max_num_queries(9):
        assert client.get("/").status_code == 200
    for n in range(12):
        rate(ReadyTrackFactory.create(batch=finished_batch(), title=f"More {n}"), 1 + n % 5)
    with django_assert_max_num_queries(9):
        html = client.get("/").content.decode()
    assert len(titles(section(html, "top-heading"))) == 8


# --- the track list ----------------------------------------------------------------------------


@pytest.fixture
def mixed_tracks():
    batch = finished_batch()
    reel = ReadyTrackFactory.create(
        title="Reel Fast", preset="celtic_reel", tempo_bpm=150.0, batch=batch, key="D major"
    )
    waltz = ReadyTrackFactory.create(
        title="Waltz Slow",
        preset="waltz",
        tempo_bpm=90.0,
        batch=batch,
        key="A minor",
        camelot="8A",
    )
    chorale = ReadyTrackFactory.create(
        title="Chorale Mid", preset="chorale", tempo_bpm=110.0, batch=finished_batch()
    )
    return reel, waltz, chorale


def test_track_list_shows_everything_with_sorts_and_a_filter_form(client: Client, mixed_tracks):
    response = client.get("/tracks/")
    html = response.content.decode()
    assert response.status_code == 200
    assert set(titles(html)) == {"Reel Fast", "Waltz Slow", "Chorale Mid"}
    assert "3 tracks" in text(html)
    for sort, label in [("new", "Newest"), ("top", "Top rated"), ("trending", "Trending")]:
        assert f'href="/tracks/?sort={sort}"' in html and f">{label}<" in html
    assert '<form class="filter-form" method="get" action="/tracks/">' in html
    assert '<option value="waltz">Waltz</option>' in html
    assert '<option value="A minor">A minor</option>' in html


def test_the_preset_filter_hides_other_presets(client: Client, mixed_tracks):
    html = client.get("/tracks/", {"preset": "waltz"}).content.decode()
    assert titles(html) == ["Waltz Slow"]
    assert '<option value="waltz" selected>' in html
    assert "1 track match your filters" in text(html)
    assert "Clear filters" in html
    # Sort links keep the filters.
    assert 'href="/tracks/?sort=top&amp;preset=waltz"' in html


def test_key_and_tempo_filters(client: Client, mixed_tracks):
    assert titles(client.get("/tracks/", {"key": "8A"}).content.decode()) == ["Waltz Slow"]
    html = client.get("/tracks/", {"tempo_min": "100", "tempo_max": "120"}).content.decode()
    assert titles(html) == ["Chorale Mid"]
    assert 'name="tempo_min" type="number"' in html and 'value="100"' in html


def test_top_sort_puts_the_best_rated_first(client: Client, mixed_tracks):
    reel, waltz, _ = mixed_tracks
    rate(waltz, 5)
    rate(waltz, 5)
    rate(reel, 1)
    html = client.get("/tracks/", {"sort": "top"}).content.decode()
    assert titles(html) == ["Waltz Slow", "Chorale Mid", "Reel Fast"]
    assert 'aria-current="page">Top rated<' in html


def test_a_bad_tempo_is_a_message_not_an_error(client: Client, mixed_tracks):
    response = client.get("/tracks/", {"tempo_min": "fast", "sort": "loudest"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Lowest tempo must be a number; &#x27;fast&#x27; was ignored." in html
    assert "Unknown sort &#x27;loudest&#x27;; showing the newest tracks." in html
    assert 'class="message message-warning" role="alert"' in html
    assert len(titles(html)) == 3


def test_filters_that_match_nothing_say_so(client: Client, mixed_tracks):
    html = client.get("/tracks/", {"preset": "lofi"}).content.decode()
    assert titles(html) == []
    assert "No tracks match these filters." in html
    assert 'href="/tracks/?sort=new">Clear filters<' in html


def test_track_list_empty_states(client: Client):
    assert "No tracks yet. When a producer" in client.get("/tracks/").content.decode()
    GenerationBatchFactory.create()
    html = client.get("/tracks/").content.decode()
    assert "No tracks yet — the first batch is composing" in html


def test_track_list_pages(client: Client):
    batch = finished_batch()
    for n in range(31):
        ReadyTrackFactory.create(batch=batch, title=f"T{n:02d}")
    first = client.get("/tracks/", {"preset": "celtic_reel"}).content.decode()
    assert len(titles(first)) == 30
    assert "Page 1 of 2" in first
    assert 'href="?preset=celtic_reel&amp;page=2"' in first
    second = client.get("/tracks/", {"preset": "celtic_reel", "page": "2"}).content.decode()
    assert len(titles(second)) == 1
    assert 'href="?preset=celtic_reel&amp;page=1"' in second
    assert '<ol class="track-list" data-queue start="31">' in second


def test_track_list_queries_do_not_grow_with_tracks(client: Client, django_assert_max_num_queries):
    batch = finished_batch()
    for _ in range(2):
        rate(ReadyTrackFactory.create(batch=batch), 3)
    with django_assert_max_num_queries(7):
        assert client.get("/tracks/", {"sort": "top"}).status_code == 200
    for n in range(25):
        track = ReadyTrackFactory.create(batch=finished_batch(), key=f"K{n}")
        rate(track, 1 + n % 5)
        if n % 2:
            rate(track, 5 - n % 5)  # a second, opposite rating: controversial
    for sort, count in (("new", 27), ("top", 27), ("trending", 27), ("controversial", 10)):
        with django_assert_max_num_queries(7):
            html = client.get("/tracks/", {"sort": sort}).content.decode()
        assert len(titles(html)) == count, sort


# --- a track ------------------------------------------------------------------------------------


def test_a_track_page_shows_the_facts_the_widget_and_the_summary(client: Client):
    batch = finished_batch()
    track = ReadyTrackFactory.create(
        title="Heron at Dusk", preset="waltz", batch=batch, duration_s=95.0, tempo_bpm=88.4
    )
    rate(track, 4)
    rate(track, 5)
    response = client.get(f"/tracks/{track.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Heron at Dusk — AlbumVote</title>" in html
    page = text(html)
    for fact in ["Waltz", "D major", "10B", "88 BPM", "1:35", f"Batch {batch.pk}"]:
        assert fact in page
    assert f'href="/batches/{batch.pk}/"' in html
    assert f'href="/tracks/{track.pk}/track.mid" download' in html
    assert 'aria-label="Play Heron at Dusk"' in html

    for name in STAR_NAMES:
        assert f'<span class="sr-only">{name}</span>' in html
    assert html.count('aria-pressed="false"') == 5
    assert "Remove my rating" in html and "data-remove-rating hidden" in html
    assert 'aria-live="polite"' in section(html, "crowd-heading")
    assert 'role="alert" data-rating-error' in html
    crowd = text(section(html, "crowd-heading"))
    assert "4.5 average from 2 ratings" in crowd
    assert "Listen 20 s more to rate — 0 s of 20 s counted so far." in page
    stars = re.search(r'<div class="stars"[^>]*>', html)
    assert stars and 'aria-label="Listen 20 s more to rate"' in stars.group(0)
    assert "--heard: 0" in stars.group(0)

    summary = json_script(html, "track-summary")
    assert summary["id"] == track.pk and summary["title"] == "Heron at Dusk"
    assert summary["audio"] == {
        "opus": f"/tracks/{track.pk}/audio.opus",
        "mp3": f"/tracks/{track.pk}/audio.mp3",
    }
    rating = json_script(html, "track-rating")
    assert rating["count"] == 2 and rating["distribution"] == {
        "1": 0,
        "2": 0,
        "3": 0,
        "4": 1,
        "5": 1,
    }


def test_a_listeners_own_rating_is_pressed_and_removable(client: Client):
    track = ReadyTrackFactory.create(duration_s=30.0)
    # What the player and the stars do in the browser: report listening, then rate.
    listened = play_over_http(client, track, 10.0, session="page-test")
    assert listened.status_code == 200 and listened.json()["can_rate"] is True
    rated = client.post(
        f"/api/v1/tracks/{track.pk}/rating/", {"stars": 4}, content_type="application/json"
    )
    assert rated.status_code == 201

    html = client.get(f"/tracks/{track.pk}/").content.decode()
    pressed = re.findall(r'data-stars="(\d)"\s+aria-pressed="true"', html)
    assert pressed == ["4"]
    assert "data-remove-rating>" in html  # not hidden
    assert "You rated this track 4 stars." in html
    mine = json_script(html, "track-mine")
    assert mine == {"stars": 4, "listened_s": 10.0, "required_s": 9.0, "can_rate": True}


def test_a_track_without_ratings_invites_the_first(client: Client):
    track = ReadyTrackFactory.create()
    html = client.get(f"/tracks/{track.pk}/").content.decode()
    assert "No ratings yet — be the first." in html
    assert html.count('class="dist-fill" style="width: 0%"') == 5


@pytest.mark.parametrize(
    "url",
    ["/tracks/999999/", "/batches/999999/", "/tracks/{unpublished}/", "/tracks/{rejected}/"],
)
def test_unknown_or_unpublished_pages_are_404(client: Client, url: str):
    unpublished = TrackFactory.create(status=Track.Status.RENDERING)
    rejected = TrackFactory.create(status=Track.Status.REJECTED)
    response = client.get(url.format(unpublished=unpublished.pk, rejected=rejected.pk))
    assert response.status_code == 404


# --- a batch ----------------------------------------------------------------------------------


def test_a_batch_page_lists_its_published_tracks_and_counts(client: Client):
    batch = finished_batch(count=4)
    ReadyTrackFactory.create(batch=batch, title="Kept One")
    ReadyTrackFactory.create(batch=batch, title="Kept Two")
    TrackFactory.create(batch=batch, status=Track.Status.REJECTED, title="Turned Back")
    TrackFactory.create(batch=batch, status=Track.Status.FAILED)
    ReadyTrackFactory.create(title="Other Batch")

    response = client.get(f"/batches/{batch.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<h1 id="page-heading">Batch {batch.pk}</h1>' in html
    assert sorted(titles(html)) == ["Kept One", "Kept Two"]
    counts = text(html)
    assert "2 ready" in counts and "1 rejected by the quality check" in counts
    assert "1 failed" in counts and "composing" not in counts.split("Published")[0].lower()


def test_a_batch_that_is_still_composing(client: Client):
    batch = GenerationBatchFactory.create(count=3)
    TrackFactory.create(batch=batch, status=Track.Status.COMPOSING)
    TrackFactory.create(batch=batch, status=Track.Status.QUEUED)
    html = client.get(f"/batches/{batch.pk}/").content.decode()
    assert "No tracks published yet — this batch is still composing." in html
    assert "1 composing" in text(html) and "1 queued" in text(html)
    assert f'data-match-batch="{batch.pk}"' in html


# --- accounts -----------------------------------------------------------------------------------


def test_sign_up_explains_that_history_carries_over(client: Client):
    html = client.get("/accounts/signup/", {"next": "/tracks/"}).content.decode()
    assert "carries over to your account" in html
    assert 'name="username"' in html and 'name="password1"' in html
    assert '<input type="hidden" name="next" value="/tracks/">' in html


def test_sign_up_errors_are_shown_next_to_the_fields(client: Client):
    response = client.post(
        "/accounts/signup/", {"username": "x", "password1": "a", "password2": "b"}
    )
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()


def test_log_in_page_and_a_failed_log_in(client: Client):
    html = client.get("/accounts/login/", {"next": "/tracks/"}).content.decode()
    assert 'name="username"' in html and 'name="password"' in html
    assert '<input type="hidden" name="next" value="/tracks/">' in html
    UserFactory.create(username="ada")
    failed = client.post("/accounts/login/", {"username": "ada", "password": "wrong"})
    assert failed.status_code == 200
    assert 'class="form-errors" role="alert"' in failed.content.decode()
    ok = client.post("/accounts/login/", {"username": "ada", "password": "pass-word-123"})
    assert ok.status_code == 302


def test_track_and_batch_page_queries_do_not_grow(client: Client, django_assert_max_num_queries):
    batch = finished_batch()
    tracks = [ReadyTrackFactory.create(batch=batch) for _ in range(12)]
    for track in tracks[:6]:
        rate(track, 4)
    with django_assert_max_num_queries(3):
        assert client.get(f"/tracks/{tracks[0].pk}/").status_code == 200
    with django_assert_max_num_queries(5):
        html = client.get(f"/batches/{batch.pk}/").content.decode()
    assert len(titles(html)) == 12


# --- assets ------------------------------------------------------------------------------------


def test_the_scripts_and_styles_the_pages_load_exist(client: Client):
    html = client.get("/").content.decode()
    assets = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
    assert {"css/site.css", "js/app.js", "favicon.svg"} <= set(assets)
    for asset in assets:
        assert finders.find(asset), asset
    # app.js pulls in the other modules by relative import; each must be there too.
    pending, seen = ["js/app.js"], set()
    while pending:
        module = pending.pop()
        seen.add(module)
        source = Path(str(finders.find(module))).read_text()
        for name in re.findall(r'from "\./([\w.]+)"', source):
            target = f"js/{name}"
            assert finders.find(target), f"{module} imports a missing {target}"
            if target not in seen:
                pending.append(target)
    assert {"js/nav.js", "js/player.js", "js/live.js", "js/rating.js"} <= seen


@pytest.mark.django_db
def test_how_ranking_works_shows_the_formulas_with_the_constants_in_use(client):
    from curation import scoring

    response = client.get("/how-ranking-works/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "How ranking works" in page
    assert f"{scoring.LCB_Z}" in page
    assert f"{scoring.CROWD_WEIGHTS['stars']} \u00d7 (lower bound \u2212 1) / 4" in page
    assert f"every {scoring.TREND_HALF_LIFE_S / 3600:g} hours" in page
    assert f"{scoring.lower_bound([0, 0, 0, 0, 10]):.2f}" in page
    assert 'href="/api/v1/rankings/"' in page
    # Linked from every page's footer.
    assert 'href="/how-ranking-works/"' in client.get("/").content.decode()
