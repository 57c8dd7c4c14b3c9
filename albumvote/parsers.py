"""JSON request bodies, refused cleanly however they are built: json raises RecursionError (not
ValueError) on deeply nested input, which would otherwise end as a 500."""

import json
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

NESTED_TOO_DEEP = "JSON parse error - nested too deeply."


def loads(raw: bytes | str) -> Any:
    """json.loads for request bodies; ValueError for anything that is not sound JSON."""
    try:
        return json.loads(raw)
    except RecursionError as exc:
        raise ValueError(NESTED_TOO_DEEP) from exc


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(NESTED_TOO_DEEP) from exc
