"""What a failing view answers through the real ASGI server: a 500 (or 503) at once, never a
hang; JSON in the one error shape under /api/, a page elsewhere."""

import json
import urllib.error
import urllib.request
from collections.abc import Callable

import pytest
from django.db import OperationalError

from tests.factories import ReadyTrackFactory

# Generous: a healthy answer takes milliseconds; the bug this guards against never answered.
TIMEOUT_S = 20


def fetch(url: str) -> urllib.error.HTTPError:
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(url, timeout=TIMEOUT_S)
    return raised.value


@pytest.fixture
def fault_site(transactional_db: None, start_site: Callable[..., str]) -> str:
    return start_site(DJANGO_SETTINGS_MODULE="tests.fault_settings")


def test_a_view_raising_stopiteration_answers_500_instead_of_hanging(fault_site: str) -> None:
    page = fetch(f"{fault_site}/faults/stop-iteration/")
    assert page.code == 500
    assert page.headers.get_content_type() == "text/html"
    assert "Something went wrong" in page.read().decode()

    api = fetch(f"{fault_site}/api/v1/faults/stop-iteration/")
    assert api.code == 500
    assert json.loads(api.read())["error"]["code"] == "server_error"

    # The server is still answering after both.
    with urllib.request.urlopen(f"{fault_site}/healthz", timeout=TIMEOUT_S) as ok:
        assert ok.status == 200


def test_a_busy_database_answers_503_with_retry_after(fault_site: str) -> None:
    api = fetch(f"{fault_site}/api/v1/faults/database-locked/")
    assert api.code == 503
    assert int(api.headers["Retry-After"]) > 0
    body = json.loads(api.read())
    assert body["error"]["code"] == "unavailable"

    page = fetch(f"{fault_site}/faults/database-locked/")
    assert page.code == 503
    assert int(page.headers["Retry-After"]) > 0
    assert page.headers.get_content_type() == "text/html"
    assert "try again" in page.read().decode().lower()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("target", "method", "url"),
    [
        ("curation.services.listening.events_record", "post", "/api/v1/listening-events/"),
        ("curation.services.ratings.rating_submit", "post", "/api/v1/tracks/{id}/rating/"),
    ],
)
def test_feedback_while_the_database_is_locked_is_a_503_not_a_500(
    client, monkeypatch: pytest.MonkeyPatch, target: str, method: str, url: str
) -> None:
    """Seen under SQLite while the arena played and the worker wrote: `database is locked`."""
    track = ReadyTrackFactory.create(duration_s=120.0)

    def locked(**kwargs: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(target, locked)
    body = {"track": track.pk, "session": "s1", "events": [], "stars": 4}
    response = getattr(client, method)(
        url.format(id=track.pk), data=body, content_type="application/json"
    )
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "unavailable"
