"""Helpers for the producer page tests: reading the pages, rating through the services, and
the schedule form's fields (shared with the admin's tests: it is the same form)."""

import re
from typing import Any

from curation.services import ratings
from generation.models import Track
from tests.curation.helpers import listen
from tests.factories import ListenerFactory

SECRET_NOTE = "secret-note-xyzzy"
SECRET_ERROR = "Renderer exploded: secret-error-plugh"
REJECTED_TITLE = "Rejected Ramble"


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def table_ids(html: str) -> list[int]:
    """Track ids of the tracks table's rows, in page order."""
    if 'class="producer-table tracks-table"' not in html:
        return []
    start = html.index('class="producer-table tracks-table"')
    return [int(n) for n in re.findall(r'<tr data-track-row="(\d+)"', html[start:])]


def rate(track: Track, *stars: int) -> None:
    for value in stars:
        listener = ListenerFactory.create()
        listen(listener, track, 30)
        ratings.rating_submit(listener_id=listener.pk, track_id=track.pk, stars=value)


def schedule_data(**changes: Any) -> dict[str, Any]:
    """The schedule form's fields (generation.forms.BatchScheduleForm): 4 tracks of a mix of
    presets at 03:00 every day, with `changes` on top."""
    return {
        "name": "Nightly",
        "enabled": "on",
        "count": "4",
        "preset": "",
        "temperature": "1.0",
        "minute": "0",
        "hour": "3",
        "day_of_week": "*",
        "day_of_month": "*",
        "month_of_year": "*",
        **changes,
    }
