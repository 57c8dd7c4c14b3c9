"""The OpenAPI description: valid, complete (every operation documents its errors), served
with a Swagger UI that needs no CDN, and true: Schemathesis calls every operation with
generated input and finds no server error and no response outside the schema."""

from pathlib import Path

import pytest
import schemathesis
import yaml
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import positive_data_acceptance

from curation.models import TrackStats
from tests.factories import ProducerFactory, ReadyTrackFactory

pytestmark = pytest.mark.django_db


def test_the_schema_is_valid_openapi_without_warnings(tmp_path: Path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/rankings/",
        "/api/v1/tracks/",
        "/api/v1/tracks/{track_id}/",
        "/api/v1/tracks/{track_id}/rating/",
        "/api/v1/listening-events/",
        "/api/v1/live/",
        "/api/v1/batches/",
        "/api/v1/batches/{batch_id}/",
    ):
        assert path in schema["paths"], path


def test_every_operation_describes_its_errors_in_the_one_shape(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            errors = {code: r for code, r in operation["responses"].items() if code[0] == "4"}
            assert errors, f"{method.upper()} {path} documents no error response"
            for code, response in errors.items():
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/Error", (path, method, code)


def test_swagger_ui_is_served_from_our_own_static_files(client):
    page = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in page
    for cdn in ("cdn.", "unpkg", "jsdelivr", "cdnjs"):
        assert cdn not in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page


@pytest.mark.parametrize("caller", ["anonymous", "producer"])
def test_the_api_keeps_to_its_schema(keep_the_test_connection, caller: str):
    """Every operation, with generated input, anonymously and with a producer's token (which
    reaches what producers alone may do): no 5xx, and status codes, content types and bodies
    as described."""
    from albumvote.wsgi import application

    # Something to find: a rated track, so lists and details have content.
    track = ReadyTrackFactory.create()
    TrackStats.objects.create(track=track, rating_count=1, rating_sum=4, stars_4=1)
    headers = {}
    if caller == "producer":
        headers["Authorization"] = f"Token {Token.objects.create(user=ProducerFactory.create())}"
    api = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    checked = []
    statuses: dict[str, set[int]] = {}
    for found in api.get_all_operations():
        operation = found.ok()  # type: ignore[union-attr]

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            if headers:
                case.cookies = {}  # the token, not a generated session cookie
            # "Schema-valid input accepted" is left out: OpenAPI cannot say that tempo_min
            # must not exceed tempo_max, or that a cursor must come from a next link, and
            # those get a clear 400/404 on purpose.
            response = case.call_and_validate(
                headers=headers, excluded_checks=[positive_data_acceptance]
            )
            statuses.setdefault(case.operation.label, set()).add(response.status_code)

        check()
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert len(checked) >= 12, checked
    if caller == "producer":
        # A producer may do everything: no operation only ever refused the token.
        refused = [name for name, codes in statuses.items() if codes <= {401, 403}]
        assert not refused, statuses
