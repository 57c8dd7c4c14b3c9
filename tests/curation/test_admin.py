"""The curation admin shows feedback and refused attempts, and cannot edit them."""

import pytest

from curation.models import RefusedAttempt
from curation.services import ratings
from tests.curation.helpers import listen
from tests.factories import ListenerFactory, ReadyTrackFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["listener", "rating", "trackstats", "refusedattempt"])
def test_changelists_render_and_offer_no_add(client, model):
    track = ReadyTrackFactory.create(title="Audited")
    listener = ListenerFactory.create()
    listen(listener, track, 30)
    ratings.rating_submit(listener_id=listener.pk, track_id=track.pk, stars=4)
    RefusedAttempt.objects.create(
        track=track, kind="rating", reason="throttled_ip", day="2026-11-25", count=7
    )
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    page = client.get(f"/admin/curation/{model}/")
    assert page.status_code == 200
    assert client.get(f"/admin/curation/{model}/add/").status_code == 403
