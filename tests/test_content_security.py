"""The Content-Security-Policy and the CSRF cookie as every response carries them (the browser
tests show the pages work under the policy: tests/e2e/test_content_security.py)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


def test_pages_allow_script_only_from_the_site(client: Client):
    response = client.get("/")
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "<script>" not in response.content.decode()  # no inline script on the page


def test_the_api_docs_allow_inline_styles_but_still_no_inline_script(client: Client):
    policy = directives(client.get("/api/v1/docs/")["Content-Security-Policy"])
    assert "'unsafe-inline'" in policy["style-src"]
    assert policy["script-src"] == ["'self'"]


def test_the_csrf_cookie_is_out_of_reach_of_scripts_and_the_page_carries_the_token(
    client: Client,
):
    response = client.get("/accounts/login/")
    assert response.cookies["csrftoken"]["httponly"] is True
    assert b'<meta name="csrf-token" content="' in response.content
