"""Track audio and MIDI over HTTP: who may have which file, and ranges up to a real server."""

import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from django.core.files.base import ContentFile

from generation.models import Track
from tests.factories import ProducerFactory, TrackFactory, UserFactory
from tests.servers import free_port, stop_group

ROOT = Path(__file__).resolve().parents[2]
MP3 = random.Random(1).randbytes(150_000)
OPUS = random.Random(2).randbytes(90_000)
MIDI = b"MThd\x00\x00\x00\x06" + random.Random(3).randbytes(2_000)

pytestmark = pytest.mark.django_db


def make_track(status: str = Track.Status.READY, **files: bytes) -> Track:
    track = TrackFactory.create(status=status, title="Reel in D")
    for field_name, content in files.items():
        getattr(track, field_name).save(f"file.{field_name}", ContentFile(content))
    return track


def body(response: Any) -> bytes:
    # The test client closes the response (and so the file) once the body is read.
    return b"".join(response.streaming_content)


def test_a_ready_track_streams_a_range_of_its_mp3(client, django_assert_num_queries):
    track = make_track(audio_mp3=MP3)
    with django_assert_num_queries(1):
        response = client.get(f"/tracks/{track.pk}/audio.mp3", headers={"Range": "bytes=0-99"})
    assert response.status_code == 206
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Content-Range"] == f"bytes 0-99/{len(MP3)}"
    assert response["Content-Disposition"] == 'inline; filename="Reel in D.mp3"'
    assert body(response) == MP3[:100]


def test_a_ready_track_streams_its_whole_opus_file(client):
    track = make_track(audio_opus=OPUS)
    response = client.get(f"/tracks/{track.pk}/audio.opus")
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/ogg"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(OPUS))
    assert body(response) == OPUS


def test_head_and_revalidation_through_the_view(client):
    track = make_track(audio_mp3=MP3)
    url = f"/tracks/{track.pk}/audio.mp3"
    head = client.head(url)
    assert head.status_code == 200
    assert head["Content-Length"] == str(len(MP3))
    assert head.content == b""
    assert client.get(url, headers={"If-None-Match": head["ETag"]}).status_code == 304
    assert client.post(url).status_code == 405


@pytest.mark.parametrize(
    ("status", "files", "path"),
    [
        (Track.Status.READY, {"audio_mp3": MP3}, "/tracks/{missing}/audio.mp3"),
        (Track.Status.READY, {"audio_mp3": MP3}, "/tracks/{pk}/audio.wav"),
        (Track.Status.READY, {"audio_mp3": MP3}, "/tracks/{pk}/audio.audio_mp3"),
        (Track.Status.READY, {"audio_mp3": MP3}, "/tracks/{pk}/audio.opus"),  # no opus yet
        (Track.Status.RENDERING, {"audio_mp3": MP3}, "/tracks/{pk}/audio.mp3"),
        (Track.Status.REJECTED, {"audio_mp3": MP3}, "/tracks/{pk}/audio.mp3"),
        (Track.Status.READY, {"audio_mp3": MP3}, "/tracks/{pk}/track.mid"),  # no MIDI
    ],
)
def test_files_that_are_not_public_are_404(client, settings, status, files, path):
    track = make_track(status, **files)
    url = path.format(pk=track.pk, missing=track.pk + 1000)
    assert client.get(url).status_code == 404
    # nginx is never told where a private file lives.
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    assert client.get(url).status_code == 404


def test_a_file_missing_from_storage_is_404(client):
    track = make_track(audio_mp3=MP3)
    os.remove(track.audio_mp3.path)
    assert client.get(f"/tracks/{track.pk}/audio.mp3").status_code == 404


@pytest.mark.parametrize("status", [Track.Status.READY, Track.Status.REJECTED, Track.Status.FAILED])
def test_midi_downloads_as_an_attachment_for_producers_for_any_track(client, status):
    track = make_track(status, midi=MIDI)
    client.force_login(ProducerFactory.create())
    response = client.get(f"/tracks/{track.pk}/track.mid")
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/midi"
    assert response["Content-Disposition"] == 'attachment; filename="Reel in D.mid"'
    assert body(response) == MIDI
    ranged = client.get(f"/tracks/{track.pk}/track.mid", headers={"Range": "bytes=-10"})
    assert ranged.status_code == 206
    assert body(ranged) == MIDI[-10:]


@pytest.mark.parametrize("status", [Track.Status.REJECTED, Track.Status.FAILED])
def test_the_midi_of_an_unpublished_track_is_not_public(client, status):
    """Seen: /tracks/7/track.mid answered 200 while the track's page, API entry and audio
    were 404 (and ids are sequential)."""
    track = make_track(status, midi=MIDI)
    assert client.get(f"/tracks/{track.pk}/track.mid").status_code == 404
    client.force_login(UserFactory.create())  # a listener with an account
    assert client.get(f"/tracks/{track.pk}/track.mid").status_code == 404
    published = make_track(Track.Status.READY, midi=MIDI)
    response = client.get(f"/tracks/{published.pk}/track.mid")
    assert response.status_code == 200
    body(response)


def test_an_untitled_track_downloads_under_its_id(client):
    track = make_track(midi=MIDI)
    Track.objects.filter(pk=track.pk).update(title="")
    response = client.get(f"/tracks/{track.pk}/track.mid")
    assert response["Content-Disposition"] == f'attachment; filename="track-{track.pk}.mid"'
    body(response)


def test_with_an_accel_prefix_nginx_is_told_which_file_to_send(client, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    track = make_track(audio_mp3=MP3, midi=MIDI)

    audio = client.get(f"/tracks/{track.pk}/audio.mp3", headers={"Range": "bytes=0-99"})
    assert audio.status_code == 200
    assert audio["X-Accel-Redirect"] == f"/protected-media/{track.audio_mp3.name}"
    assert audio["Content-Type"] == "audio/mpeg"
    assert audio.content == b""

    midi = client.get(f"/tracks/{track.pk}/track.mid")
    assert midi["X-Accel-Redirect"] == f"/protected-media/{track.midi.name}"
    assert midi["Content-Type"] == "audio/midi"
    assert midi["Content-Disposition"] == 'attachment; filename="Reel in D.mid"'


# A real server process -------------------------------------------------------------------------

BIN = Path(sys.executable).parent
SERVERS = {
    # The ASGI server runs web (and the run command): streaming must not buffer whole files.
    "uvicorn": [
        str(BIN / "uvicorn"),
        "albumvote.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
    ],
    # The WSGI server runs api in docker-compose.
    "gunicorn": [str(BIN / "gunicorn"), "albumvote.wsgi:application", "--workers", "1", "--bind"],
}


class Server(NamedTuple):
    url: str
    log: Path


@pytest.fixture
def server(request, subprocess_env: dict[str, str], tmp_path: Path) -> Iterator[Server]:
    """Starts the server named by the test's parameter on the test database and media."""
    name = request.param
    port = free_port()
    address = str(port) if name == "uvicorn" else f"127.0.0.1:{port}"
    env = {**subprocess_env, "MEDIA_ACCEL_REDIRECT_PREFIX": ""}
    log_path = tmp_path / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*SERVERS[name], address],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"{name} exited:\n{log_path.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"{name} did not listen:\n{log_path.read_text()}")
                time.sleep(0.1)
        yield Server(f"http://127.0.0.1:{port}", log_path)
    finally:
        stop_group(process, timeout=15)


def fetch(url: str, headers: dict[str, str], method: str = "GET") -> tuple[int, Any, bytes]:
    request = urllib.request.Request(url, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgres_required")
@pytest.mark.parametrize("server", list(SERVERS), indirect=True)
def test_a_real_server_answers_ranges_over_http(server: Server) -> None:
    track = make_track(audio_mp3=MP3)
    url = f"{server.url}/tracks/{track.pk}/audio.mp3"
    size = len(MP3)

    status, headers, data = fetch(url, {"Range": "bytes=0-"})  # what a browser's <audio> sends
    assert status == 206
    assert headers["Content-Range"] == f"bytes 0-{size - 1}/{size}"
    assert data == MP3

    status, headers, data = fetch(url, {"Range": "bytes=70000-70999"})
    assert (status, headers["Content-Length"], data) == (206, "1000", MP3[70000:71000])

    status, headers, data = fetch(url, {"Range": "bytes=-500"})
    assert status == 206
    assert headers["Content-Range"] == f"bytes {size - 500}-{size - 1}/{size}"
    assert data == MP3[-500:]

    status, headers, _ = fetch(url, {"Range": f"bytes={size}-"})
    assert (status, headers["Content-Range"]) == (416, f"bytes */{size}")

    status, headers, data = fetch(url, {})
    assert (status, headers["Accept-Ranges"], data) == (200, "bytes", MP3)
    etag = headers["ETag"]
    status, _, _ = fetch(url, {"If-None-Match": etag})
    assert status == 304
    status, _, data = fetch(url, {"Range": "bytes=0-99", "If-Range": '"stale"'})
    assert (status, data) == (200, MP3)

    status, headers, data = fetch(url, {}, method="HEAD")
    assert (status, headers["Content-Length"], data) == (200, str(size), b"")
    # Django warns when it has to read a whole streaming body into memory to send it.
    assert "must consume" not in server.log.read_text()
