"""The API as a workflow: Schemathesis chains calls by the links it finds between operations
(an album's id from POST /albums/ into its workspace, tracks, finalize, versions and export; a
batch's id into GET /batches/{id}/; a job's id into GET /album-jobs/{id}/), with a producer's
token, so each step acts on what an earlier one made: no 5xx, every response as described."""

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import positive_data_acceptance

from curation.models import TrackStats
from tests.factories import ProducerFactory, ReadyTrackFactory

pytestmark = pytest.mark.django_db


def test_chained_calls_keep_to_the_schema(keep_the_test_connection):
    from albumvote.wsgi import application

    for track in ReadyTrackFactory.create_batch(3):
        TrackStats.objects.create(track=track, rating_count=1, rating_sum=4, stars_4=1)
    token = Token.objects.create(user=ProducerFactory.create()).key
    api = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    seen: list[str] = []

    @api.auth()
    class ProducerToken:
        """Our token as the schema's token auth (Schemathesis' auth provider), so its auth
        checks also send each call without it, and with a made-up one, and see those refused."""

        def get(self, case: Any, context: Any) -> str:
            return token

        def set(self, case: Any, data: str, context: Any) -> None:
            case.cookies = {}  # no generated session cookie
            case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}

    class Workflow(api.as_state_machine()):  # type: ignore[misc]
        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            seen.append(f"{case.operation.label} {response.status_code}")
            # As in tests/test_openapi.py: OpenAPI cannot say every rule (a cursor must come
            # from a next link), and those get a clear 4xx on purpose.
            case.validate_response(
                response, excluded_checks=[positive_data_acceptance], transport_kwargs=kwargs
            )

    Workflow.run(
        settings=settings(
            max_examples=100,
            derandomize=True,  # one fixed sample of chains: the same calls every run
            stateful_step_count=6,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    # Chains happened: an album made in one step was worked on in a later one.
    assert any(s.startswith("POST /api/v1/albums/ 201") for s in seen), seen
    assert any("/api/v1/albums/{album_id}" in s and s.endswith((" 200", " 201")) for s in seen), (
        seen
    )
