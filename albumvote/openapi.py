"""OpenAPI 3 plumbing (drf-spectacular): the one error shape as a component, error responses
for extend_schema, and the hand-written description of the one plain-Django endpoint."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorBody",
            fields={
                "code": serializers.CharField(help_text="Machine-readable, e.g. invalid"),
                "message": serializers.CharField(help_text="For people: what went wrong"),
                "details": serializers.DictField(
                    help_text="e.g. field, choices, retry_after_s", required=False
                ),
            },
        )
    },
)

MEANINGS = {
    400: "Bad input (the field is named in details.field)",
    401: "No or a wrong token where one is needed (Authorization: Token <key>)",
    403: "Not allowed (not a producer, listen first, CSRF)",
    404: "No such object",
    405: "Method not allowed",
    429: "Too many requests; see Retry-After",
    503: "The database is busy or away for a moment; see Retry-After",
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: OpenApiResponse(ErrorSerializer, description=MEANINGS[code]) for code in codes}


PAGE_PARAMETERS = [
    OpenApiParameter("cursor", str, description="From a next or previous link"),
    OpenApiParameter("page_size", int, description="1 to 100 (default 20)"),
]


def page_of(item: type[serializers.Serializer]) -> serializers.Serializer:
    """A cursor page of `item`: {next, previous, results}."""
    return inline_serializer(
        name=f"{item.__name__.removesuffix('Serializer')}Page",
        fields={
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        },
    )


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error_responses(*codes: int) -> dict[str, Any]:
    return {
        str(code): {
            "description": MEANINGS[code],
            "content": {"application/json": {"schema": _ref("Error")}},
        }
        for code in codes
    }


def add_rating_endpoint(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: /api/v1/tracks/{track_id}/rating/ is a plain Django view (the
    hottest path; DRF cost a third of its CPU), so drf-spectacular cannot see it."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["StarsRequest"] = {
        "type": "object",
        "properties": {"stars": {"type": "integer", "minimum": 1, "maximum": 5}},
        "required": ["stars"],
    }
    schemas["RatingChange"] = {
        "type": "object",
        "properties": {
            "track": {"type": "integer"},
            "stars": {"type": "integer", "nullable": True},
            "rating": _ref("RatingState"),
        },
        "required": ["track", "stars", "rating"],
    }
    schemas["MyRating"] = {
        "type": "object",
        "properties": {
            "track": {"type": "integer"},
            "rating": _ref("RatingState"),
            "mine": {
                "type": "object",
                "properties": {
                    "stars": {"type": "integer", "nullable": True},
                    "listened_s": {"type": "number"},
                    "required_s": {"type": "number"},
                    "can_rate": {"type": "boolean"},
                },
                "required": ["stars", "listened_s", "required_s", "can_rate"],
            },
        },
        "required": ["track", "rating", "mine"],
    }
    track_id = {
        "name": "track_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer"},
    }
    body = {
        "required": True,
        "content": {"application/json": {"schema": _ref("StarsRequest")}},
    }

    def change(summary: str, extra: dict[str, Any]) -> dict[str, Any]:
        return {
            "operationId": summary,
            "tags": ["ratings"],
            "parameters": [track_id],
            "responses": {
                **extra,
                **_error_responses(400, 401, 403, 404, 429),
            },
        }

    ok = {"content": {"application/json": {"schema": _ref("RatingChange")}}}
    result.setdefault("paths", {})["/api/v1/tracks/{track_id}/rating/"] = {
        "get": {
            "operationId": "rating_retrieve",
            "summary": "The track's rating figures, and mine (stars, listen time, may I rate)",
            "tags": ["ratings"],
            "parameters": [track_id],
            "responses": {
                "200": {
                    "description": "Figures",
                    "content": {"application/json": {"schema": _ref("MyRating")}},
                },
                **_error_responses(404),
            },
        },
        "post": {
            **change(
                "rating_create",
                {"201": {"description": "Rated", **ok}, "200": {"description": "Changed", **ok}},
            ),
            "summary": "Rate 1-5 stars (after listening 20 s or 30% of the track)",
            "requestBody": body,
        },
        "put": {
            **change(
                "rating_update",
                {"200": {"description": "Changed", **ok}, "201": {"description": "Rated", **ok}},
            ),
            "summary": "Change my rating",
            "requestBody": body,
        },
        "delete": {
            **change("rating_destroy", {"200": {"description": "Withdrawn", **ok}}),
            "summary": "Withdraw my rating (withdrawing none is not an error)",
        },
    }
    return result


def add_authentication_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: any operation answers 401 (with a WWW-Authenticate: Token
    challenge) to a missing or wrong token where one is needed, 403 to a failed CSRF check,
    429 past the API's rate limit and 503 (with Retry-After) while the database is away."""
    for item in result.get("paths", {}).values():
        for operation in item.values():
            for code in ("401", "403", "429", "503"):
                operation["responses"].setdefault(code, _error_responses(int(code))[code])
    return result
