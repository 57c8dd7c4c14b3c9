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


@pytest.mark.parametrize("model", ["trackpick", "album", "albumversion", "albumaudit", "albumjob"])
def test_album_changelists_render_and_versions_cannot_be_edited(client, model):
    from curation.albums import services as album_services
    from curation.albums.models import AlbumJob
    from tests.factories import ProducerFactory

    producer = ProducerFactory.create()
    track = ReadyTrackFactory.create(title="On the album")
    album_services.pick_update(track_id=track.pk, user=producer, notes="keep")
    album = album_services.album_create(user=producer, title="Admin view")
    album_services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[track.pk])
    version = album_services.album_finalize(album_id=album.pk, user=producer)
    AlbumJob.objects.create(album=album, kind="preview", track_ids=[track.pk])
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    assert client.get(f"/admin/curation/{model}/").status_code == 200
    assert client.get(f"/admin/curation/{model}/add/").status_code == 403
    if model == "albumversion":
        page = client.get(f"/admin/curation/albumversion/{version.pk}/change/")
        assert page.status_code == 200 and b'name="_save"' not in page.content
