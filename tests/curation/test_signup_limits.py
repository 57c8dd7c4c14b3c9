"""Sign-ups are limited per address (issue 11 §1.4): seen, 25 accounts were created in seconds,
each faked a listen and gave 5 stars."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db


def sign_up(name: str, ip: str):
    form = {
        "username": name,
        "password1": "a-long-pass-phrase-1",
        "password2": "a-long-pass-phrase-1",
    }
    return Client().post("/accounts/signup/", form, REMOTE_ADDR=ip)


def test_one_address_can_create_only_a_few_accounts(settings, redis_url):
    limit = settings.CURATION_SIGNUPS_PER_IP
    for n in range(limit):
        assert sign_up(f"fan{n}", "10.7.7.7").status_code == 302
    refused = sign_up("one-too-many", "10.7.7.7")
    assert refused.status_code == 429
    assert "Too many new accounts" in refused.content.decode()
    assert not User.objects.filter(username="one-too-many").exists()
    # Another address is not affected.
    assert sign_up("elsewhere", "10.8.8.8").status_code == 302


def test_a_form_with_mistakes_does_not_count(settings, redis_url):
    for _ in range(settings.CURATION_SIGNUPS_PER_IP + 2):
        response = Client().post("/accounts/signup/", {"username": "x"}, REMOTE_ADDR="10.7.7.8")
        assert response.status_code == 200  # the form again, with its errors
    assert sign_up("fine", "10.7.7.8").status_code == 302
