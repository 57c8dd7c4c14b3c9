"""Reading the listener's pages in tests: sections, listed titles, visible text, the data a
page hands its scripts; and the data they are made from."""

import json
import re

from django.utils import timezone

from curation.services import ratings
from generation.models import Track
from tests.curation.helpers import listen
from tests.factories import GenerationBatchFactory, ListenerFactory


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
    """The titles of the tracks listed, in page order (a <template>'s blank item is not one)."""
    shown = re.sub(r"<template.*?</template>", "", html, flags=re.DOTALL)
    return re.findall(r'<li class="track-card"[^>]*data-title="([^"]*)"', shown)


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


def section_of_player(html: str) -> str:
    start = html.index('<section class="player"')
    return html[start : html.index("</section>", start)]
