"""OpenAPI 3 plumbing (drf-spectacular): the one error shape as a component, error responses
for extend_schema, and the description of a plain Django view."""

from collections.abc import Callable
from typing import Any, TypeVar

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.views import APIView

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
    409: "Not possible in the object's present state (the message says why)",
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


View = TypeVar("View", bound=Callable[..., Any])


def described_by(operations: type[APIView]) -> Callable[[View], View]:
    """Describe a plain Django view (kept plain for speed) in the schema by an APIView whose
    methods carry the operations' extend_schema and are never dispatched. drf-spectacular
    reads DRF views only, recognising them by the `cls` that APIView.as_view() sets on the
    view function; this sets the same on the plain view."""

    def describe(view: View) -> View:
        view.cls = operations  # type: ignore[attr-defined]
        view.initkwargs = {}  # type: ignore[attr-defined]
        return view

    return describe


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


def add_authentication_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: any operation answers 401 (with a WWW-Authenticate: Token
    challenge) to a missing or wrong token where one is needed, 403 to a failed CSRF check,
    429 past the API's rate limit and 503 (with Retry-After) while the database is away."""
    for item in result.get("paths", {}).values():
        for operation in item.values():
            for code in ("401", "403", "429", "503"):
                operation["responses"].setdefault(code, _error_responses(int(code))[code])
    return result
