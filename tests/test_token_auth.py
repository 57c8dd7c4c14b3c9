"""Token authentication for API clients: a producer's token opens the producer endpoints
without a session or CSRF token; a bad token is refused in the one error shape."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from rest_framework.authtoken.models import Token

from albumvote.permissions import PRODUCERS_GROUP

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
    assert response.status_code == 403
    assert response.json()["error"]["code"]


def test_a_wrong_token_is_refused_in_the_error_shape():
    # 403, as for any refused request: the session comes first and has no challenge to send.
    response = Client().get("/api/v1/batches/", HTTP_AUTHORIZATION="Token not-a-real-key")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "authentication_failed"
