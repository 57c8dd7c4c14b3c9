"""Syndication: the top and newest tracks as RSS 2.0, Atom and JSON Feed, with the MP3 as each
item's enclosure, so podcast apps and feed readers can follow the crowd's picks."""

from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from curation import selectors
from generation.models import Track
from generation.templatetags.formats import duration

ITEMS = 20
KINDS = {
    "top": ("AlbumVote — top tracks", "The tracks listeners rate and keep listening to most."),
    "new": ("AlbumVote — new tracks", "Tracks as they come out of the composer."),
}


def feed_tracks(kind: str) -> list[Any]:
    sort = "top" if kind == "top" else "new"
    return list(selectors.track_list(selectors.TrackFilters(sort=sort))[:ITEMS])


def describe(track: Any) -> str:
    figures = [
        track.get_preset_label(),
        track.key,
        f"{track.tempo_bpm:.0f} BPM" if track.tempo_bpm else "",
    ]
    if track.rating_count:
        figures.append(f"{track.rating_count} rating{'s' if track.rating_count != 1 else ''}")
    figures.append(duration(track.duration_s or 0))
    return " · ".join(f for f in figures if f)


def _mp3_size(track: Track) -> int:
    try:
        return int(track.audio_mp3.size)
    except (OSError, ValueError):  # a missing file must not take the feed down
        return 0


class TrackFeed(Feed):
    kind = "top"

    def title(self) -> str:
        return KINDS[self.kind][0]

    def description(self) -> str:
        return KINDS[self.kind][1]

    def link(self) -> str:
        return reverse("curation:tracks") + ("?sort=top" if self.kind == "top" else "")

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpRequest:
        # Feed instances are shared by every request; the request travels as the feed's object.
        return request

    def items(self, request: HttpRequest) -> list[Any]:
        tracks = feed_tracks(self.kind)
        for track in tracks:
            # Readers fetch enclosures on their own: the URL must be absolute.
            track.enclosure_url = request.build_absolute_uri(
                reverse("curation:track-audio", args=[track.pk, "mp3"])
            )
        return tracks

    def item_title(self, item: Any) -> str:
        return item.title or f"Track {item.pk}"

    def item_description(self, item: Any) -> str:
        return describe(item)

    def item_link(self, item: Any) -> str:
        return reverse("curation:track", args=[item.pk])

    def item_pubdate(self, item: Any) -> Any:
        return item.finished_at

    def item_enclosure_url(self, item: Any) -> str:
        return str(item.enclosure_url)

    def item_enclosure_length(self, item: Any) -> int:
        return _mp3_size(item)

    item_enclosure_mime_type = "audio/mpeg"


class TopRss(TrackFeed):
    kind = "top"


class NewRss(TrackFeed):
    kind = "new"


class TopAtom(TopRss):
    feed_type = Atom1Feed
    subtitle = TrackFeed.description


class NewAtom(NewRss):
    feed_type = Atom1Feed
    subtitle = TrackFeed.description


def json_feed(request: HttpRequest, kind: str) -> JsonResponse:
    """JSON Feed 1.1 (jsonfeed.org) of the same tracks."""
    title, description = KINDS[kind]
    items = []
    for track in feed_tracks(kind):
        url = request.build_absolute_uri(reverse("curation:track", args=[track.pk]))
        items.append(
            {
                "id": url,
                "url": url,
                "title": track.title or f"Track {track.pk}",
                "content_text": describe(track),
                "date_published": track.finished_at.isoformat() if track.finished_at else None,
                "attachments": [
                    {
                        "url": request.build_absolute_uri(
                            reverse("curation:track-audio", args=[track.pk, "mp3"])
                        ),
                        "mime_type": "audio/mpeg",
                        "size_in_bytes": _mp3_size(track),
                        "duration_in_seconds": round(track.duration_s or 0),
                    }
                ],
            }
        )
    body = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "description": description,
        "home_page_url": request.build_absolute_uri(reverse("curation:home")),
        "feed_url": request.build_absolute_uri(),
        "items": items,
    }
    return JsonResponse(body, content_type="application/feed+json")
