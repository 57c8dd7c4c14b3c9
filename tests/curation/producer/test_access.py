"""Who may see the producer pages: visitors are sent to log in, listeners are refused with
none of the producer data, producers (by group or by permission) see every page."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from curation.models import TrackPick
from generation.models import BatchSchedule, Track
from tests.curation.producer.helpers import REJECTED_TITLE, SECRET_NOTE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def producer_urls(world) -> list[tuple[str, str]]:
    ready, schedule = world["ready"], world["schedule"]
    return [
        ("get", "/producer/"),
        ("get", "/producer/tracks/"),
        ("get", "/producer/tracks/?status=failed"),
        ("get", f"/producer/tracks/{ready.pk}/"),
        ("get", f"/producer/tracks/{world['failed'].pk}/"),
        ("get", f"/producer/tracks/{world['rejected'].pk}/"),
        ("get", "/producer/schedules/new/"),
        ("get", f"/producer/schedules/{schedule.pk}/"),
        ("post", "/producer/batches/launch/"),
        ("post", f"/producer/tracks/{ready.pk}/picks/"),
        ("post", f"/producer/tracks/{world['failed'].pk}/retry/"),
        ("post", f"/producer/schedules/{schedule.pk}/enabled/"),
    ]


def test_anonymous_visitors_are_sent_to_log_in_and_come_back(client: Client, world):
    for method, url in producer_urls(world):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url
        assert "/producer/" in response["Location"], url


def test_listeners_get_403_and_none_of_the_producer_data(client: Client, world, queued):
    client.force_login(UserFactory.create())
    for method, url in producer_urls(world):
        response = getattr(client, method)(url)
        assert response.status_code == 403, url
        html = response.content.decode()
        for secret in (SECRET_NOTE, "secret-error-plugh", REJECTED_TITLE, "Broken Jig"):
            assert secret not in html, (url, secret)
    # Nothing was changed by their POSTs.
    assert Track.objects.get(pk=world["failed"].pk).status == Track.Status.FAILED
    assert BatchSchedule.objects.get().enabled is True
    assert TrackPick.objects.get().notes == SECRET_NOTE
    assert queued == []
    # And the nav has no producer link for them.
    assert 'href="/producer/"' not in client.get("/").content.decode()


def test_producers_see_every_page_and_the_nav_link(producer_client: Client, world):
    for method, url in producer_urls(world):
        if method == "get":
            response = producer_client.get(url)
            assert response.status_code == 200, url
    home = producer_client.get("/").content.decode()
    assert '<a href="/producer/">Producer</a>' in home


def test_producer_is_recognised_by_permission_too(client: Client, world):
    user = UserFactory.create()
    user.user_permissions.add(Permission.objects.get(codename="add_generationbatch"))
    client.force_login(user)
    assert client.get("/producer/").status_code == 200
