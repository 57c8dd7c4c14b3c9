"""How the site writes a length of time: {% load formats %}{{ track.duration_s|duration }}.

One rule, here and in static/js/util.js formatTime: the nearest whole second, halves up
(Python's round() would take a half to the even neighbour; JavaScript's Math.round does not),
then m:ss, or h:mm:ss from an hour up. Dates have their one format in albumvote/formats.
"""

import math

from django import template

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """The length written as the site writes it: 122.5 s is 2:03; unknown is blank."""
    if seconds is None:
        return ""
    whole = max(0, math.floor(float(seconds) + 0.5))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
