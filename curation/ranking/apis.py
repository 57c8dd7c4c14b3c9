"""The public rankings feed: GET /api/v1/rankings/?sort=&window=&batch=&page_size=&cursor=."""

import base64
import binascii
import hashlib
import json
from datetime import datetime
from typing import Any, NoReturn

import orjson
from django.db import connection
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from albumvote import parsers
from albumvote.builders import build
from albumvote.exceptions import ApplicationError
from albumvote.openapi import errors
from curation.apis import JsonOnly
from curation.ranking import selectors
from curation.serializers import RankingPageSerializer

CACHE_SECONDS = 15
MAX_PAGE_SIZE = 100
MAX_CURSOR = 500  # this feed's own cursors are well under 200 characters
MAX_ID = 2**63 - 1  # PostgreSQL bigint


class RankingsApi(APIView):
    """Tracks in ranking order with their aggregates: keyset (cursor) pages, ETag-validated.

    Clients and proxies may reuse a page for CACHE_SECONDS; after that, If-None-Match with its
    ETag gets a 304 when nothing on the page changed.
    """

    # A public feed: no identity needed (and no session lookups on the hot path).
    authentication_classes: list[type] = []
    permission_classes: list[type] = []
    content_negotiation_class = JsonOnly

    class InputSerializer(serializers.Serializer):
        """The query parameters, as documented; _parse applies the same rules."""

        sort = serializers.ChoiceField(choices=selectors.SORTS, default="top")
        window = serializers.ChoiceField(choices=list(selectors.WINDOWS), default="all")
        batch = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
        page_size = serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, default=20)
        cursor = serializers.CharField(required=False, max_length=MAX_CURSOR)

    @extend_schema(
        operation_id="rankings_list",
        parameters=[InputSerializer],
        responses={
            200: RankingPageSerializer,
            304: OpenApiResponse(description="Not modified (If-None-Match matched the ETag)"),
            **errors(400, 404),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        data = _parse(request.query_params)
        query = selectors.RankingQuery(
            sort=data["sort"], window=data["window"], batch=data.get("batch")
        )
        after = _decode(data["cursor"], query.sort) if "cursor" in data else None
        page = selectors.ranking_page(query, size=data["page_size"], after=after)
        backwards = after is not None and after.backwards
        has_next = page.more if not backwards else True
        has_previous = after is not None and (page.more if backwards else True)
        url = request.build_absolute_uri()
        body = {
            "sort": query.sort,
            "window": query.window,
            "next": _link(url, query.sort, page.last, False) if has_next and page.last else None,
            "previous": _link(url, query.sort, page.first, True)
            if has_previous and page.first
            else None,
            "results": page.entries,
        }
        # Encoded once: the same bytes are hashed for the ETag and sent.
        content = orjson.dumps(build(RankingPageSerializer, body))
        etag = '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'
        response: HttpResponse
        if etag in request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(content, content_type="application/json")
        response["ETag"] = etag
        response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
        return response


def _parse(params: Any) -> dict[str, Any]:
    """The InputSerializer's rules, without building a serializer per request (a fifth of
    this endpoint's CPU)."""
    data: dict[str, Any] = {
        "sort": params.get("sort", "top"),
        "window": params.get("window", "all"),
        "page_size": params.get("page_size", "20"),
    }
    if data["sort"] not in selectors.SORTS:
        _refuse("sort", f'"{data["sort"]}" is not a valid choice.', list(selectors.SORTS))
    if data["window"] not in selectors.WINDOWS:
        _refuse("window", f'"{data["window"]}" is not a valid choice.', list(selectors.WINDOWS))
    data["page_size"] = _whole("page_size", data["page_size"], 1, MAX_PAGE_SIZE)
    if "batch" in params:
        data["batch"] = _whole("batch", params["batch"], 1, MAX_ID)
    if "cursor" in params:
        data["cursor"] = params["cursor"]
    return data


def _whole(field: str, raw: str, low: int, high: int | None) -> int:
    if not raw.isdigit() or len(raw) > 20:
        _refuse(field, "A valid integer is required.")
    value = int(raw)
    if value < low:
        _refuse(field, f"Ensure this value is greater than or equal to {low}.")
    if high is not None and value > high:
        _refuse(field, f"Ensure this value is less than or equal to {high}.")
    return value


def _refuse(field: str, problem: str, choices: list[str] | None = None) -> NoReturn:
    raise ApplicationError(
        f"{field}: {problem}", details={"field": field, "choices": choices or []}
    )


def _link(url: str, sort: str, position: selectors.Position, backwards: bool) -> str:
    key = position.key.isoformat() if isinstance(position.key, datetime) else position.key
    raw = json.dumps([sort, key, position.track_id, backwards]).encode()
    return replace_query_param(url, "cursor", base64.urlsafe_b64encode(raw).decode())


def _decode(cursor: str, sort: str) -> selectors.Position:
    """A cursor from a `next`/`previous` link of the same sort; anything else is refused."""
    try:
        if len(cursor) > MAX_CURSOR:
            raise ValueError("too long")
        cursor_sort, key, track_id, backwards = parsers.loads(base64.urlsafe_b64decode(cursor))
        if cursor_sort != sort or not isinstance(track_id, int) or not isinstance(backwards, bool):
            raise ValueError(cursor)
        if sort == "new":
            moment = parse_datetime(key)
            if moment is None:
                raise ValueError(key)
            key = connection.ops.adapt_datetimefield_value(moment)
        elif not isinstance(key, int | float) or isinstance(key, bool):
            raise ValueError(key)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise ApplicationError(
            "cursor: not a cursor from this feed's next or previous links (for this sort).",
            code="invalid_cursor",
            details={"field": "cursor"},
            status_code=404,  # as DRF's own cursor pagination answers an invalid cursor
        ) from exc
    return selectors.Position(key, track_id, backwards)
