"""The producer tracks table and track page read plainly: presets by their display names,
every column explained, arena intervals only where they mean something, and a veto that says
what it does (and does not) do."""

import html as html_lib
import re

import pytest
from django.test import Client
from django.utils import timezone

from curation.albums import services as album_services
from curation.models import ArenaRating
from generation.composer import PRESETS
from tests.factories import ReadyTrackFactory, TrackFactory

pytestmark = pytest.mark.django_db

VETO_MEANING = "kept out of album suggestions"


def tracks_table(page: str) -> str:
    start = page.index('class="producer-table tracks-table"')
    return page[start : page.index("</table>", start)]


def text(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()


def test_the_table_names_presets_by_their_display_names(producer_client: Client):
    ReadyTrackFactory.create(preset="irish_jig")
    TrackFactory.create(preset="lofi", title="")
    table = tracks_table(producer_client.get("/producer/tracks/").content.decode())
    assert PRESETS["irish_jig"].label in text(table)
    assert PRESETS["lofi"].label in text(table)
    assert "irish_jig" not in table
    assert not re.search(r"\blofi\b", table)


def test_every_column_heading_is_explained_in_a_tooltip_and_a_legend(producer_client: Client):
    ReadyTrackFactory.create()
    page = producer_client.get("/producer/tracks/").content.decode()
    head = tracks_table(page).split("</thead>")[0]
    headers = re.findall(r"<th\b([^>]*)>(.*?)</th>", head, flags=re.S)
    assert len(headers) >= 6
    legend_start = page.index("data-table-legend")
    legend = text(page[legend_start : page.index("</dl>", legend_start)])
    for attributes, content in headers:
        heading = text(content)
        if 'class="sr-only"' in content:
            continue  # the play button's column, named for screen readers
        assert heading not in {"LB", "Thru", "Crowd"}, heading
        meaning = re.search(r'title="([^"]+)"', attributes)
        assert meaning, f"column {heading!r} has no explanation"
        assert heading in legend
        assert html_lib.unescape(meaning.group(1)) in legend
    # The figures that are not columns of their own are explained too.
    for figure in ("Lower bound", "Skip rate", "Refused / throttled"):
        assert figure in legend


def test_each_cell_carries_its_column_heading_for_the_phone_layout(producer_client: Client):
    ReadyTrackFactory.create()
    table = tracks_table(producer_client.get("/producer/tracks/").content.decode())
    head, body = table.split("</thead>")
    headings = [text(content) for _, content in re.findall(r"<th\b([^>]*)>(.*?)</th>", head, re.S)]
    row = body[body.index("<tr") : body.index("</tr>")]
    cells = re.findall(r"<td\b([^>]*)>", row)
    assert len(cells) == len(headings)
    labels = [re.search(r'data-label="([^"]*)"', cell) for cell in cells]
    assert [label.group(1) if label else None for label in labels] == headings


def test_the_veto_says_what_it_does_where_it_is_set_and_in_the_table(producer_client: Client):
    track = ReadyTrackFactory.create()
    page = producer_client.get(f"/producer/tracks/{track.pk}/").content.decode()
    start = page.index('id="picks-heading"')
    picks = text(page[start : page.index("</form>", start)])
    assert VETO_MEANING in picks
    assert "public" in picks  # that it changes nothing listeners see

    producer = producer_client.producer  # type: ignore[attr-defined]
    album_services.pick_update(track_id=track.pk, user=producer, vetoed=True)
    table = tracks_table(producer_client.get("/producer/tracks/").content.decode())
    badge = re.search(r'<span class="pick pick-vetoed"[^>]*title="([^"]+)"', table)
    assert badge and VETO_MEANING in html_lib.unescape(badge.group(1))


def arena(track, *, rating: float, low: float, high: float, votes: int) -> None:
    ArenaRating.objects.create(
        track=track, rating=rating, low=low, high=high, votes=votes, computed_at=timezone.now()
    )


def test_arena_intervals_show_only_when_they_mean_something(producer_client: Client):
    settled = ReadyTrackFactory.create(title="Settled")
    unsettled = ReadyTrackFactory.create(title="Unsettled")
    arena(settled, rating=1040, low=980, high=1100, votes=60)
    arena(unsettled, rating=1010, low=-350, high=2400, votes=2)

    table = tracks_table(producer_client.get("/producer/tracks/").content.decode())
    rows = dict(re.findall(r'<tr data-track-row="(\d+)"(.*?)</tr>', table, flags=re.S))
    assert "980\u20131100" in text(rows[str(settled.pk)])
    unsettled_row = text(rows[str(unsettled.pk)])
    assert "needs more votes" in unsettled_row
    assert "-350" not in unsettled_row and "2400" not in unsettled_row

    page = text(producer_client.get(f"/producer/tracks/{unsettled.pk}/").content.decode())
    assert "needs more votes" in page
    assert "-350" not in page
