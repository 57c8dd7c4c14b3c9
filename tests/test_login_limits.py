"""Log-in attempts are limited (django-axes): seen, 30 wrong passwords for a staff account
were all answered and then the right one worked."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def attempt(client: Client, password: str, ip: str = "10.1.1.1") -> Any:
    return client.post(LOGIN, {"username": "staffer", "password": password}, REMOTE_ADDR=ip)


def test_after_a_few_wrong_passwords_the_account_is_locked_from_that_address(settings):
    User.objects.create_user("staffer", password="right-horse-battery", is_staff=True)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "wrong").status_code == 200  # the form again, with an error
    locked = attempt(client, "wrong")
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    # The right password no longer opens it from there...
    assert attempt(client, "right-horse-battery").status_code == 429
    assert "_auth_user_id" not in client.session
    # ...while its owner, elsewhere, is not locked out.
    elsewhere = Client()
    response = attempt(elsewhere, "right-horse-battery", ip="10.2.2.2")
    assert response.status_code == 302
    assert "_auth_user_id" in elsewhere.session


def test_the_admin_login_is_limited_too(settings):
    User.objects.create_user("staffer", password="right-horse-battery", is_staff=True)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/admin/login/", {"username": "staffer", "password": "no"}, REMOTE_ADDR="10.3.3.3"
        )
    response = client.post(
        "/admin/login/",
        {"username": "staffer", "password": "right-horse-battery"},
        REMOTE_ADDR="10.3.3.3",
    )
    assert response.status_code == 429
