"""Token authentication for API clients: a producer's token opens the producer endpoints
without a session or CSRF token; a bad token is refused in the one error shape."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from rest_framework.authtoken.models import Token

from albumvote.permissions import PRODUCERS_GROUP
from tests.curation.helpers import play_over_http

pytestmark = pytest.mark.django_db


@pytest.fixture
def producer_token():
    user = User.objects.create_user("maker", password="pw")
    user.groups.add(Group.objects.get_or_create(name=PRODUCERS_GROUP)[0])
    return Token.objects.create(user=user).key


def test_a_producer_token_opens_producer_endpoints_without_csrf(producer_token):
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Token {producer_token}"})
    # Authenticated and allowed: the request reaches validation (count 0 is refused).
    response = client.post("/api/v1/batches/", {"count": 0}, content_type="application/json")
    assert response.status_code == 400
    assert "count" in response.json()["error"]["message"]
    assert client.get("/api/v1/batches/999/").status_code == 404


def test_without_a_token_producer_endpoints_refuse(producer_token):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/batches/", {"count": 1}, content_type="application/json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_wrong_token_is_refused_in_the_error_shape():
    # RFC 9110: credentials that do not work are a 401 with a challenge.
    response = Client().get("/api/v1/batches/", HTTP_AUTHORIZATION="Token not-a-real-key")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_an_api_client_with_a_token_listens_rates_and_votes_as_its_accounts_listener():
    from curation.models import Listener, Rating
    from tests.factories import ReadyTrackFactory

    track = ReadyTrackFactory.create()
    user = User.objects.create_user("app-user", password="pw")
    token = Token.objects.create(user=user).key
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Token {token}"})
    heard = play_over_http(client, track, 60.0, session="app-1")
    assert heard.status_code in (200, 201), heard.json()
    rated = client.post(
        f"/api/v1/tracks/{track.pk}/rating/", {"stars": 4}, content_type="application/json"
    )
    assert rated.status_code == 201, rated.json()
    listener = Listener.objects.get(user=user)
    assert Rating.objects.get(track=track).listener == listener
    assert Listener.objects.count() == 1  # no anonymous listener was made on the side


def test_a_wrong_token_cannot_rate_and_browsers_still_need_the_csrf_token():
    from tests.factories import ReadyTrackFactory

    track = ReadyTrackFactory.create()
    url = f"/api/v1/tracks/{track.pk}/rating/"
    wrong = Client(enforce_csrf_checks=True, headers={"Authorization": "Token not-a-real-key"})
    refused = wrong.post(url, {"stars": 4}, content_type="application/json")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "authentication_failed"
    browser = Client(enforce_csrf_checks=True)
    refused = browser.post(url, {"stars": 4}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"


FEEDBACK = [
    ("/api/v1/tracks/{id}/rating/", {"stars": 4}),
    ("/api/v1/listening-events/", {"track": "{id}", "session": "s", "events": []}),
    ("/api/v1/arena/votes/", {"track_a": "{id}", "track_b": "{id}", "outcome": "a"}),
]


@pytest.mark.parametrize(("url", "body"), FEEDBACK)
def test_every_feedback_endpoint_answers_a_wrong_token_and_a_missing_csrf_token_alike(url, body):
    """One gate (curation.gate) for the plain rating view and the DRF feedback views: the same
    status and code for the same fault, whichever endpoint it reaches."""
    from tests.factories import ReadyTrackFactory

    track = ReadyTrackFactory.create()
    url = url.format(id=track.pk)
    payload = {k: (track.pk if v == "{id}" else v) for k, v in body.items()}
    wrong = Client(HTTP_AUTHORIZATION="Token not-a-real-key")
    response = wrong.post(url, payload, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"

    browser = Client(enforce_csrf_checks=True)
    response = browser.post(url, payload, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
