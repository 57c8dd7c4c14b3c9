"""The OpenAPI description: valid, complete (every operation documents its errors), served
with a Swagger UI that needs no CDN, and true: Schemathesis calls every operation with
generated input and finds no server error and no response outside the schema."""

from pathlib import Path

import pytest
import schemathesis
import yaml
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from curation.models import TrackStats
from tests.factories import ReadyTrackFactory

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


@pytest.fixture
def keep_the_test_connection():
    """Calls go straight to the WSGI app; as Django's test client does, keep the end of each
    request from closing the connection that holds the test's transaction."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def test_the_api_keeps_to_its_schema(keep_the_test_connection):
    """Every operation, with generated input: no 5xx, and status codes, content types and
    bodies as described."""
    from albumvote.wsgi import application

    # Something to find: a rated track, so lists and details have content.
    track = ReadyTrackFactory.create()
    TrackStats.objects.create(track=track, rating_count=1, rating_sum=4, stars_4=1)
    api = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    checked = []
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
            # "Schema-valid input accepted" is left out: OpenAPI cannot say that tempo_min
            # must not exceed tempo_max, or that a cursor must come from a next link, and
            # those get a clear 400/404 on purpose.
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        check()
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert len(checked) >= 12, checked
