"""Every producer page and API operation refuses anonymous users and listeners, and gives them
no data; every other URL is on the public list below, so a new URL must be classified here.

The URLs are found by walking the URL configuration, so a producer URL added later is covered
without touching this file, and a URL that is neither under /producer/ nor refusing is caught.
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from curation.albums import services as album_services
from curation.albums.models import AlbumJob
from tests.factories import (
    GenerationBatchFactory,
    ProducerFactory,
    ReadyTrackFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# (URL name, method) that anyone may call. Listener writes (ratings, listening events, arena
# votes) are public: a listener is whoever holds the signed cookie.
PUBLIC = {
    *(
        (name, "get")
        for name in [
            "healthz",
            "ping",
            "favicon",
            "home",
            "tracks",
            "track",
            "track-peaks",
            "track-audio",
            "track-midi",
            "batch",
            "how-ranking-works",
            "arena",
            "feed-top-rss",
            "feed-new-rss",
            "feed-top-atom",
            "feed-new-atom",
            "feed-top-json",
            "feed-new-json",
            "signup",
            "login",
            "logout",
            "albums",
            "album",
            "album-cover",
            "album-download",  # 404 unless the producers allow downloads
            "api-schema",
            "api-docs",
            "api-live-state",
            "api-rankings",
            "api-arena-pair",
            "api-arena-leaderboard",
            "api-tracks",
            "api-track",
            "api-batch-launch",
            "api-albums",
            "api-album",
            "api-track-rating",
        ]
    ),
    ("signup", "post"),
    ("login", "post"),
    ("logout", "post"),
    ("api-track-rating", "post"),
    ("api-track-rating", "put"),
    ("api-track-rating", "delete"),
    ("api-listening-events", "post"),
    ("api-arena-votes", "post"),
}
METHODS = ("get", "post", "put", "patch", "delete")


def walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def methods_of(pattern: URLPattern) -> list[str]:
    """The methods a view answers: a class's handlers, or GET and POST for a function."""
    view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
    if view is None:
        return ["get", "post"]
    return [m for m in METHODS if hasattr(view, m)]


def public_function(pattern: URLPattern) -> bool:
    """A public plain Django view (not DRF): it answers its own methods."""
    return not hasattr(pattern.callback, "cls") and (pattern.name, "get") in PUBLIC


def endpoints() -> list[tuple[str, str, URLPattern]]:
    found = []
    for route, pattern in walk(get_resolver().url_patterns):
        if route.startswith("admin/") or not pattern.name:
            continue
        for method in methods_of(pattern):
            found.append((route, method, pattern))
    return found


@pytest.fixture
def world() -> dict[str, Any]:
    """One of everything a URL can name: a published album, its job, a batch, a track."""
    producer = ProducerFactory.create()
    track = ReadyTrackFactory.create()
    album = album_services.album_create(user=producer, title="Matrix")
    album_services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[track.pk])
    album_services.album_finalize(album_id=album.pk, user=producer)
    job = AlbumJob.objects.create(album=album, kind="preview", track_ids=[track.pk])
    return {
        "track_id": track.pk,
        "album_id": album.pk,
        "batch_id": GenerationBatchFactory.create().pk,
        "job_id": job.pk,
        "schedule_id": _schedule_id(),
        "version_id": 1,
        "number": 1,
        "fmt": "mp3",
    }


def _schedule_id() -> int:
    from generation.models import BatchSchedule

    return BatchSchedule.objects.create(name="Nightly", count=2).pk


def url_for(pattern_route: str, pattern: URLPattern, values: dict[str, Any]) -> str:
    kwargs = {}
    for name in pattern.pattern.converters:
        assert name in values, f"no sample value for <{name}> in {pattern_route}"
        kwargs[name] = values[name]
    path = pattern_route
    for name, value in kwargs.items():
        converter = pattern.pattern.converters[name]
        path = path.replace(f"<{_converter_name(converter)}:{name}>", str(value))
        path = path.replace(f"<{name}>", str(value))
    assert "<" not in path, path
    return "/" + path


def _converter_name(converter: Any) -> str:
    from django.urls.converters import get_converters

    return next(key for key, value in get_converters().items() if type(value) is type(converter))


def call(client: Client, method: str, url: str):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, data=json.dumps({}), content_type="application/json")


def assert_refused(response, *, anonymous: bool, url: str, method: str) -> None:
    where = f"{method.upper()} {url}"
    if response.status_code == 405 and not url.startswith("/api/"):
        return  # a page that does not take this method at all: refused, and no data
    if url.startswith("/api/"):
        assert response.status_code in ((401, 403) if anonymous else (403,)), where
        body = response.json()
        assert set(body) == {"error"} and body["error"]["code"], where
    elif anonymous:
        assert response.status_code == 302, where
        assert response["Location"].startswith("/accounts/login/?next="), where
    else:
        assert response.status_code == 403, where
        # One refusal for every page: the site's page, whatever check refused it.
        assert 'data-page="forbidden"' in response.content.decode(), where


def test_every_producer_url_and_api_operation_refuses_anonymous_users_and_listeners(world):
    anonymous = Client(enforce_csrf_checks=False)
    listener = Client(enforce_csrf_checks=False)
    listener.force_login(UserFactory.create())
    producer = Client(enforce_csrf_checks=False)
    producer.force_login(ProducerFactory.create())
    private = [
        (route, method, pattern)
        for route, method, pattern in endpoints()
        if (pattern.name, method) not in PUBLIC and not public_function(pattern)
    ]
    assert len(private) >= 20, [f"{m} {r}" for r, m, _ in private]
    checked = 0
    for route, method, pattern in private:
        url = url_for(route, pattern, world)
        assert_refused(call(anonymous, method, url), anonymous=True, url=url, method=method)
        assert_refused(call(listener, method, url), anonymous=False, url=url, method=method)
        # The matrix means something only if producers do get through.
        answer = call(producer, method, url)
        assert answer.status_code not in (401, 403), f"{method.upper()} {url} refused a producer"
        checked += answer.status_code != 405
    assert checked >= 20


def test_every_url_under_producer_is_private():
    for route, method, pattern in endpoints():
        if route.startswith("producer/"):
            assert (pattern.name, method) not in PUBLIC, route


# Named here as well as found by the walk: taking one of these off the private side must
# fail a test that says what it is (producers' stems: audio and MIDI of every part).
PRODUCER_ONLY = {
    ("producer-track-stems", "get"),
    ("producer-track-stems", "post"),
    ("api-track-stems", "post"),
}


def test_the_stems_urls_are_producer_only():
    found = {(pattern.name, method) for _, method, pattern in endpoints()}
    assert found >= PRODUCER_ONLY
    assert not PRODUCER_ONLY & PUBLIC


# The steering page, its controls and API (issue 12): what the crowd likes and how batches
# are steered are the producers' alone.
STEERING = {
    ("producer-steering", "get"),
    ("producer-steering-refit", "post"),
    ("producer-steering-settings", "post"),
    ("producer-steering-schedule", "post"),
    ("api-steering", "get"),
    ("api-steering-history", "get"),
    ("api-steering-fits", "get"),
    ("api-steering-fits", "post"),
    ("api-steering-settings", "get"),
    ("api-steering-settings", "patch"),
    ("api-steering-schedule", "patch"),
}


def test_the_steering_urls_are_producer_only():
    found = {(pattern.name, method) for _, method, pattern in endpoints()}
    assert found >= STEERING
    assert not STEERING & PUBLIC
