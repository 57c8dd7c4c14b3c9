"""Dates and times on every page: "3 Dec 2026, 23:31", in the site's time zone.

Django's own English formats ("Dec. 3, 2026, 11:31 p.m.") give way to these, so {{ value }},
{{ value|date }} and {{ value|date:"DATETIME_FORMAT" }} all read alike; static/js/util.js
formatDateTime writes the same for times that arrive in JavaScript.
"""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
