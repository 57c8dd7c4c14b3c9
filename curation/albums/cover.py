"""The cover's drawing (Pillow): one waveform band per track, coloured by its key. What it
draws for an album version (the export's cover.jpg and the album page's) is artwork.cover_render.

Each track's peaks (Track.peaks, 0..1) are drawn as a mirrored waveform in a horizontal band,
in album order; the hue comes from the track's place on the Camelot wheel (neighbouring keys
get neighbouring hues), minor keys darker than major. The album title sits underneath.
"""

from __future__ import annotations

import colorsys
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

SIZE = 1200
MARGIN = 80
TEXT_AREA = 220
BACKGROUND = (14, 16, 22)
NEUTRAL = (150, 150, 160)
_CAMELOT = re.compile(r"^(1[0-2]|[1-9])([AB])$")


@dataclass(frozen=True)
class Band:
    peaks: Sequence[float]
    camelot: str


def key_colour(camelot: str) -> tuple[int, int, int]:
    """An RGB colour for a Camelot code: hue from the number, lightness from A/B."""
    match = _CAMELOT.match(camelot or "")
    if match is None:
        return NEUTRAL
    hue = (int(match.group(1)) - 1) / 12
    lightness = 0.48 if match.group(2) == "A" else 0.62
    red, green, blue = colorsys.hls_to_rgb(hue, lightness, 0.75)
    return round(red * 255), round(green * 255), round(blue * 255)


def render(bands: Sequence[Band], *, title: str, subtitle: str = "") -> Image.Image:
    image = Image.new("RGB", (SIZE, SIZE), BACKGROUND)
    draw = ImageDraw.Draw(image)
    width = SIZE - 2 * MARGIN
    top, bottom = MARGIN, SIZE - TEXT_AREA
    band_height = (bottom - top) / max(1, len(bands))
    for index, band in enumerate(bands):
        colour = key_colour(band.camelot)
        centre = top + band_height * (index + 0.5)
        half = band_height * 0.45
        peaks = list(band.peaks) or [0.0]
        # One line per column: the loudest peak that falls in it.
        for x in range(width):
            first = x * len(peaks) // width
            last = max(first + 1, (x + 1) * len(peaks) // width)
            level = max(0.0, min(1.0, max(float(p) for p in peaks[first:last])))
            extent = max(1.0, level * half)
            draw.line([(MARGIN + x, centre - extent), (MARGIN + x, centre + extent)], fill=colour)
    _text(draw, title, y=SIZE - TEXT_AREA + 40, size=64, fill=(240, 240, 245))
    if subtitle:
        _text(draw, subtitle, y=SIZE - TEXT_AREA + 125, size=36, fill=(170, 170, 185))
    return image


def jpeg_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, optimize=True)
    return out.getvalue()


def _text(draw: ImageDraw.ImageDraw, text: str, *, y: int, size: int, fill: tuple) -> None:
    font = ImageFont.load_default(size=size)
    # Shorten until it fits between the margins.
    shown = " ".join(text.split())
    while shown and draw.textlength(shown, font=font) > SIZE - 2 * MARGIN:
        shown = shown[:-2].rstrip() + "…"
    draw.text((MARGIN, y), shown, font=font, fill=fill)
