"""The project boots: settings load, URLs resolve, the home page renders empty."""

import pytest


@pytest.mark.django_db
def test_home_page_renders_empty_state(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"No tracks yet" in response.content
