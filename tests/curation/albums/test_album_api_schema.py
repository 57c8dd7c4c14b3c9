"""The album API as its schema says, with a producer's token: Schemathesis calls each album
operation with generated input, on a real album and track (tests/test_openapi.py calls every
operation, anonymously and as a producer)."""

import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import positive_data_acceptance

from curation.albums import services
from curation.models import TrackStats
from tests.curation.albums.helpers import published_album
from tests.factories import ProducerFactory, ReadyTrackFactory

pytestmark = pytest.mark.django_db

ALBUM_OPERATIONS = {
    "GET /api/v1/albums/",
    "POST /api/v1/albums/",
    "GET /api/v1/albums/{album_id}/",
    "PATCH /api/v1/albums/{album_id}/",
    "GET /api/v1/albums/{album_id}/workspace/",
    "PUT /api/v1/albums/{album_id}/tracks/",
    "GET /api/v1/albums/{album_id}/suggestions/",
    "POST /api/v1/albums/{album_id}/finalize/",
    "GET /api/v1/albums/{album_id}/versions/{number}/",
    "GET /api/v1/picks/",
    "PUT /api/v1/tracks/{track_id}/pick/",
    "PATCH /api/v1/tracks/{track_id}/pick/",
}


def test_producer_operations_keep_to_the_schema(keep_the_test_connection):
    """tests/test_openapi.py calls every operation anonymously (producers' ones answer 403);
    here a producer's token calls them with generated input, on a real album and track."""
    from albumvote.wsgi import application

    producer = ProducerFactory.create()
    token = Token.objects.create(user=producer).key
    tracks = ReadyTrackFactory.create_batch(3)
    TrackStats.objects.create(track=tracks[0], rating_count=1, rating_sum=4, stars_4=1)
    services.pick_update(track_id=tracks[0].pk, user=producer, shortlisted=True, tags=["a"])
    album = published_album(producer, "Schema", tracks[:2])
    real = {"album_id": album.pk, "track_id": tracks[1].pk, "number": 1}
    statuses: dict[str, set[int]] = {}
    calls = itertools.count()

    api_schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    checked = set()
    for found in api_schema.get_all_operations():
        operation = found.ok()  # type: ignore[union-attr]
        name = f"{operation.method.upper()} {operation.path}"
        if name not in ALBUM_OPERATIONS:
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case: schemathesis.Case) -> None:
            # Half the calls on the real album and track, half on whatever ids were generated.
            if case.path_parameters and next(calls) % 2 == 0:
                for key in case.path_parameters.keys() & real.keys():
                    case.path_parameters[key] = real[key]
            if case.operation.path.endswith("/finalize/") and (
                case.path_parameters.get("album_id") == album.pk
            ):
                # An album the same as its latest version is refused (409 unchanged): give
                # the real album tracks and something new to publish before each call.
                services.album_tracklist_set(
                    album_id=album.pk, user=producer, track_ids=[t.pk for t in tracks[:2]]
                )
                services.album_update(
                    album_id=album.pk, user=producer, description=f"Take {next(calls)}"
                )
            # Our token, not a generated session cookie: schemathesis then also checks that the
            # operation refuses the same call without it, or with a made-up one.
            case.cookies = {}
            response = case.call_and_validate(
                headers={"Authorization": f"Token {token}"},
                excluded_checks=[positive_data_acceptance],
            )
            statuses.setdefault(case.operation.label, set()).add(response.status_code)

        check()
        checked.add(name)
    assert checked == ALBUM_OPERATIONS == set(statuses)
    # Not only refusals: every operation also succeeded at least once.
    assert all(any(200 <= code < 300 for code in codes) for codes in statuses.values()), statuses
