"""The album and pick API's input: strict parsing of bodies and queries, and the serializers
that describe them for OpenAPI (the output: curation.albums.serializers)."""

import math
from typing import Any

from rest_framework import serializers
from rest_framework.request import Request

from albumvote.exceptions import ApplicationError

MAX_ID = 2**63 - 1  # PostgreSQL bigint
MAX_TEXT = 10_000

# --- input -----------------------------------------------------------------------------------

# A body field: the JSON types it takes (bool is never an int here), and whether null is allowed.
Field = tuple[tuple[type, ...], bool]
TEXT: Field = ((str,), False)
WHOLE: Field = ((int,), False)
WHOLE_OR_NULL: Field = ((int,), True)
NUMBER: Field = ((int, float), False)
FLAG: Field = ((bool,), False)
LIST: Field = ((list,), False)
KINDS = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    list: "a list",
}


def refuse(field: str, message: str) -> ApplicationError:
    return ApplicationError(f"{field}: {message}", details={"field": field})


def _storable(text: str) -> bool:
    """PostgreSQL refuses NUL characters, and lone surrogates are not UTF-8: refuse them here
    rather than fail at the database."""
    if "\x00" in text or len(text) > MAX_TEXT:
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def body_of(request: Request, fields: dict[str, Field]) -> dict[str, Any]:
    """The request's JSON object, strictly: known fields only, each of its own JSON type."""
    data = request.data
    if not isinstance(data, dict):
        raise ApplicationError("Send a JSON object.", details={"field": "non_field_errors"})
    unknown = sorted(str(key) for key in data if key not in fields)
    if unknown:
        raise ApplicationError(
            f"Unknown field(s): {', '.join(unknown)}. Known: {', '.join(fields)}.",
            details={"field": unknown[0], "fields": unknown},
        )
    for name, value in data.items():
        kinds, nullable = fields[name]
        if value is None:
            if not nullable:
                raise refuse(name, "may not be null.")
            continue
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            raise refuse(name, f"must be {' or '.join(KINDS[k] for k in kinds)}.")
        if isinstance(value, str) and not _storable(value):
            raise refuse(name, f"must be text of at most {MAX_TEXT} characters, without NUL.")
        if isinstance(value, float) and not math.isfinite(value):
            raise refuse(name, "must be a finite number.")
        if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= MAX_ID:
            raise refuse(name, "is out of range.")
    return dict(data)


def query_number(request: Request, name: str, low: float, high: float, whole: bool) -> Any:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or not low <= value <= high:
        kind = "a whole number" if whole else "a number"
        raise refuse(name, f"must be {kind} from {low:g} to {high:g}.")
    return value


def query_flag(request: Request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if raw.lower() not in ("true", "false"):
        raise refuse(name, "must be true or false.")
    return raw.lower() == "true"


def not_found(what: str) -> ApplicationError:
    return ApplicationError(f"There is no {what}.", code="not_found", status_code=404)


# --- the input, described (body_of and the services apply the rules) -------------------------


class SuggestionQuerySerializer(serializers.Serializer):
    weight = serializers.FloatField(
        required=False, min_value=0, max_value=1, help_text="The album's own by default"
    )
    count = serializers.IntegerField(required=False, min_value=1, max_value=100)


class AlbumCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    target_count = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=100
    )
    target_length_s = serializers.IntegerField(
        required=False, allow_null=True, min_value=60, max_value=21600
    )


class AlbumUpdateSerializer(AlbumCreateSerializer):
    title = serializers.CharField(max_length=200, required=False)
    crowd_weight = serializers.FloatField(required=False, min_value=0, max_value=1)
    pinned_first = serializers.IntegerField(required=False, allow_null=True)
    pinned_last = serializers.IntegerField(required=False, allow_null=True)
    allow_download = serializers.BooleanField(
        required=False, help_text="Let listeners download the published version's export"
    )


class TracklistSerializer(serializers.Serializer):
    tracks = serializers.ListField(
        child=serializers.IntegerField(min_value=1), max_length=100, help_text="In order"
    )


class PickInputSerializer(serializers.Serializer):
    shortlisted = serializers.BooleanField(required=False, help_text="Clears a veto")
    vetoed = serializers.BooleanField(required=False, help_text="Clears the shortlist")
    notes = serializers.CharField(required=False, allow_blank=True)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, max_length=12
    )


class PickFilterSerializer(serializers.Serializer):
    shortlisted = serializers.BooleanField(required=False)
    vetoed = serializers.BooleanField(required=False)
    tag = serializers.CharField(required=False, max_length=32)
