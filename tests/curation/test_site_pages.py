"""What every listener's page shares, through Django's test client: the player, the header,
the accounts pages, the assets the pages load, and how ranking works."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.curation.pages import play_button, section_of_player
from tests.factories import ProducerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_page_has_the_player_skip_link_and_a_csrf_cookie(client: Client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-label="Play"' in play_button(html)
    assert 'aria-label="Previous"' in html and 'aria-label="Next"' in html
    assert 'role="slider"' in section_of_player(html)
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in html
    assert '<main id="main"' in html
    assert "csrftoken" in response.cookies
    assert 'id="live-status" role="status" hidden' in html


def test_the_header_shows_who_is_signed_in_and_admin_only_to_producers(client: Client):
    anonymous = client.get("/").content.decode()
    assert ">Log in<" in anonymous and ">Sign up<" in anonymous
    assert "Log out" not in anonymous

    client.force_login(UserFactory.create(username="ada"))
    listener_page = client.get("/").content.decode()
    assert "ada" in listener_page
    assert 'action="/accounts/logout/"' in listener_page and ">Log out<" in listener_page
    assert 'href="/admin/"' not in listener_page

    producer = ProducerFactory.create(username="grace", is_staff=True)
    client.force_login(producer)
    producer_page = client.get("/").content.decode()
    assert "grace" in producer_page and 'href="/admin/">Admin<' in producer_page


def test_sign_up_explains_that_history_carries_over(client: Client):
    html = client.get("/accounts/signup/", {"next": "/tracks/"}).content.decode()
    assert "carries over to your account" in html
    assert 'name="username"' in html and 'name="password1"' in html
    assert '<input type="hidden" name="next" value="/tracks/">' in html


def test_sign_up_errors_are_shown_next_to_the_fields(client: Client):
    response = client.post(
        "/accounts/signup/", {"username": "x", "password1": "a", "password2": "b"}
    )
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()


def test_log_in_page_and_a_failed_log_in(client: Client):
    html = client.get("/accounts/login/", {"next": "/tracks/"}).content.decode()
    assert 'name="username"' in html and 'name="password"' in html
    assert '<input type="hidden" name="next" value="/tracks/">' in html
    UserFactory.create(username="ada")
    failed = client.post("/accounts/login/", {"username": "ada", "password": "wrong"})
    assert failed.status_code == 200
    assert 'class="form-errors" role="alert"' in failed.content.decode()
    ok = client.post("/accounts/login/", {"username": "ada", "password": "pass-word-123"})
    assert ok.status_code == 302


def test_the_scripts_and_styles_the_pages_load_exist(client: Client):
    html = client.get("/").content.decode()
    assets = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
    assert {"css/site.css", "js/app.js", "favicon.svg"} <= set(assets)
    for asset in assets:
        assert finders.find(asset), asset
    # app.js pulls in the other modules by relative import; each must be there too.
    pending, seen = ["js/app.js"], set()
    while pending:
        module = pending.pop()
        seen.add(module)
        source = Path(str(finders.find(module))).read_text()
        for name in re.findall(r'from "\./([\w.]+)"', source):
            target = f"js/{name}"
            assert finders.find(target), f"{module} imports a missing {target}"
            if target not in seen:
                pending.append(target)
    assert {"js/nav.js", "js/player.js", "js/live.js", "js/rating.js"} <= seen


@pytest.mark.django_db
def test_how_ranking_works_shows_the_formulas_with_the_constants_in_use(client):
    from curation import scoring

    response = client.get("/how-ranking-works/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "How ranking works" in page
    assert f"{scoring.LCB_Z}" in page
    assert f"{scoring.CROWD_WEIGHTS['stars']} \u00d7 (lower bound \u2212 1) / 4" in page
    assert f"every {scoring.TREND_HALF_LIFE_S / 3600:g} hours" in page
    assert f"{scoring.lower_bound([0, 0, 0, 0, 10]):.2f}" in page
    assert 'href="/api/v1/rankings/"' in page
    # Linked from every page's footer.
    assert 'href="/how-ranking-works/"' in client.get("/").content.decode()
