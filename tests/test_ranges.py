"""ranged_file_response against a real stored file: ranges, revalidation, HEAD and X-Accel."""

import random
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.test import AsyncRequestFactory, RequestFactory
from django.utils.http import http_date

from albumvote.ranges import (
    CHUNK_SIZE,
    ByteRange,
    RangeNotSatisfiable,
    parse_range,
    ranged_file_response,
)

# Several chunks long, and no two chunks alike, so a misplaced seek shows.
DATA = random.Random(7).randbytes(3 * CHUNK_SIZE + 12_345)
SIZE = len(DATA)
NAME = "tracks/1/7.mp3"


@pytest.fixture
def stored(media_root: Path) -> str:
    return default_storage.save(NAME, ContentFile(DATA))


def serve(method: str = "get", name: str = NAME, **headers: str) -> HttpResponseBase:
    request = getattr(RequestFactory(), method)("/audio.mp3", headers=headers)
    return ranged_file_response(
        request, storage=default_storage, name=name, content_type="audio/mpeg"
    )


def body(response: HttpResponseBase) -> bytes:
    assert isinstance(response, StreamingHttpResponse)
    try:
        return b"".join(response.streaming_content)  # type: ignore[arg-type]
    finally:
        response.close()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", ByteRange(0, 99)),
        ("bytes=0-0", ByteRange(0, 0)),
        ("bytes=100-199", ByteRange(100, 199)),
        ("bytes=900-", ByteRange(900, 999)),
        ("bytes=-300", ByteRange(700, 999)),
        ("bytes=-5000", ByteRange(0, 999)),  # a suffix longer than the file is all of it
        ("bytes=990-5000", ByteRange(990, 999)),  # last-pos past the end is clipped
        ("bytes=0-" + "9" * 5000, ByteRange(0, 999)),  # too long for int(): still the end
        ("Bytes=0-99", ByteRange(0, 99)),  # the unit is case-insensitive
        ("bytes=0-99,", ByteRange(0, 99)),  # empty list elements are allowed
        ("bytes= 0-99", ByteRange(0, 99)),
        ("bytes=000100-000199", ByteRange(100, 199)),
        # Ignored (None: send the whole file): malformed, another unit, several ranges.
        ("bytes=abc", None),
        ("bytes=", None),
        ("bytes=-", None),
        ("bytes=5-1", None),  # last < first is invalid, not unsatisfiable
        ("bytes=1-2-3", None),
        ("bytes=--5", None),
        ("bytes=0x10-20", None),
        ("bytes=\u0661-\u0662", None),  # Arabic-Indic digits are not DIGIT
        ("bytes 0-99", None),
        ("items=0-99", None),
        ("bytes=0-9,20-29", None),
        ("bytes=0-9,abc", None),
    ],
)
def test_parse_range(header: str, expected: ByteRange | None) -> None:
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize(
    "header", ["bytes=1000-", "bytes=1000-2000", "bytes=-0", "bytes=" + "9" * 5000 + "-"]
)
def test_parse_range_unsatisfiable(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 1000)


def test_an_empty_file_ignores_ranges() -> None:
    assert parse_range("bytes=0-99", 0) is None
    assert parse_range("bytes=-5", 0) is None


def test_without_range_the_whole_file_streams_with_validators(stored: str) -> None:
    response = serve()
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Content-Length"] == str(SIZE)
    assert response["Cache-Control"] == "public, max-age=3600"
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
    mtime = default_storage.get_modified_time(stored).timestamp()
    assert response["Last-Modified"] == http_date(mtime)
    assert "Content-Range" not in response
    assert body(response) == DATA


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        # Crosses two chunk boundaries.
        ("bytes=65000-140000", 65000, 140000),
        ("bytes=-500", SIZE - 500, SIZE - 1),
        ("bytes=150000-", 150000, SIZE - 1),
        ("bytes=0-", 0, SIZE - 1),  # what browsers send for <audio>
        (f"bytes={SIZE - 10}-{SIZE + 1000}", SIZE - 10, SIZE - 1),
    ],
)
def test_a_range_answers_206_with_exactly_those_bytes(
    stored: str, header: str, start: int, end: int
) -> None:
    response = serve(Range=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/{SIZE}"
    assert response["Content-Length"] == str(end - start + 1)
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Accept-Ranges"] == "bytes"
    assert body(response) == DATA[start : end + 1]


@pytest.mark.parametrize("header", [f"bytes={SIZE}-", f"bytes={SIZE + 5}-{SIZE + 10}", "bytes=-0"])
def test_an_unsatisfiable_range_answers_416(stored: str, header: str) -> None:
    response = serve(Range=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"
    assert isinstance(response, HttpResponse) and response.content == b""


@pytest.mark.parametrize("header", ["bytes=abc", "bytes=9-1", "lines=0-9", "bytes=0-9,20-29"])
def test_a_malformed_or_multiple_range_sends_the_whole_file(stored: str, header: str) -> None:
    response = serve(Range=header)
    assert response.status_code == 200
    assert "Content-Range" not in response
    assert body(response) == DATA


def test_if_none_match_with_the_current_etag_answers_304(stored: str) -> None:
    etag = serve(method="head")["ETag"]
    response = serve(If_None_Match=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert response["Cache-Control"] == "public, max-age=3600"
    assert serve(If_None_Match='"something-else"').status_code == 200


def test_if_modified_since_the_last_modification_answers_304(stored: str) -> None:
    last_modified = serve(method="head")["Last-Modified"]
    assert serve(If_Modified_Since=last_modified).status_code == 304
    assert serve(If_Modified_Since=http_date(0)).status_code == 200


def test_if_match_with_another_etag_answers_412(stored: str) -> None:
    assert serve(If_Match='"something-else"').status_code == 412


def test_the_etag_changes_when_the_file_is_rewritten(stored: str) -> None:
    before = serve(method="head")["ETag"]
    default_storage.save(NAME, ContentFile(DATA[:-1]))  # the same name, as a retried task does
    after = serve(method="head")["ETag"]
    assert after != before
    assert serve(If_None_Match=before).status_code == 200


def test_if_range_honours_the_range_only_for_the_current_file(stored: str) -> None:
    head = serve(method="head")
    etag, last_modified = head["ETag"], head["Last-Modified"]

    matching = serve(Range="bytes=0-99", If_Range=etag)
    assert matching.status_code == 206
    assert body(matching) == DATA[:100]
    by_date = serve(Range="bytes=0-99", If_Range=last_modified)
    assert by_date.status_code == 206

    for stale in ('"an-older-version"', f"W/{etag}", http_date(0), "not a validator"):
        response = serve(Range="bytes=0-99", If_Range=stale)
        assert response.status_code == 200, stale
        assert "Content-Range" not in response
        assert body(response) == DATA


def test_head_sends_the_headers_of_the_whole_file_and_no_body(stored: str) -> None:
    for headers in ({}, {"Range": "bytes=0-99"}):
        response = serve(method="head", **headers)
        assert response.status_code == 200
        assert response["Content-Length"] == str(SIZE)
        assert response["Accept-Ranges"] == "bytes"
        assert response["Content-Type"] == "audio/mpeg"
        assert isinstance(response, HttpResponse) and response.content == b""


def test_attachment_and_inline_filenames(stored: str) -> None:
    request = RequestFactory().get("/")
    attachment = ranged_file_response(
        request,
        storage=default_storage,
        name=NAME,
        content_type="audio/midi",
        filename="Reel in D.mid",
        as_attachment=True,
    )
    assert attachment["Content-Disposition"] == 'attachment; filename="Reel in D.mid"'
    body(attachment)
    inline = ranged_file_response(
        request, storage=default_storage, name=NAME, content_type="audio/mpeg", filename="é.mp3"
    )
    assert inline["Content-Disposition"] == "inline; filename*=utf-8''%C3%A9.mp3"
    body(inline)


def test_a_missing_file_is_404(media_root: Path) -> None:
    with pytest.raises(Http404):
        serve(name="tracks/1/missing.mp3")


def test_x_accel_mode_hands_the_file_to_nginx_without_reading_it(settings: Any) -> None:
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    request = RequestFactory().get("/", headers={"Range": "bytes=0-99"})
    # The file need not exist here: nginx reads it, from its own mount of the media volume.
    response = ranged_file_response(
        request,
        storage=default_storage,
        name="tracks/3/Reel #1?.mid",
        content_type="audio/midi",
        filename="Reel.mid",
        as_attachment=True,
    )
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/protected-media/tracks/3/Reel%20%231%3F.mid"
    assert response["Content-Type"] == "audio/midi"
    assert response["Content-Disposition"] == 'attachment; filename="Reel.mid"'
    assert response["Cache-Control"] == "public, max-age=3600"
    assert isinstance(response, HttpResponse) and response.content == b""
    assert "Content-Range" not in response and "ETag" not in response

    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media"  # a missing slash is forgiven
    inline = ranged_file_response(
        request, storage=default_storage, name=NAME, content_type="audio/mpeg"
    )
    assert inline["X-Accel-Redirect"] == f"/protected-media/{NAME}"
    assert "Content-Disposition" not in inline


def test_over_asgi_the_body_is_an_async_iterator_of_chunks(stored: str) -> None:
    # A sync iterator would be read whole into memory by Django's ASGI handler.
    request = AsyncRequestFactory().get("/", headers={"Range": "bytes=10-"})
    response = ranged_file_response(
        request, storage=default_storage, name=NAME, content_type="audio/mpeg"
    )
    assert isinstance(response, StreamingHttpResponse)
    assert response.status_code == 206
    assert response.is_async

    async def collect() -> list[bytes]:
        return [chunk async for chunk in response]

    chunks = async_to_sync(collect)()
    response.close()
    assert b"".join(chunks) == DATA[10:]
    assert max(len(chunk) for chunk in chunks) <= CHUNK_SIZE
    assert len(chunks) == 4


class RecordingStorage(FileSystemStorage):
    """Keeps every file it opens, so a test can see that each one was closed."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.opened: list[Any] = []

    def open(self, name: str, mode: str = "rb") -> Any:
        file = super().open(name, mode)
        self.opened.append(file)
        return file


def test_every_opened_file_is_closed(stored: str, media_root: Path) -> None:
    storage = RecordingStorage(location=media_root)
    etag = serve(method="head")["ETag"]
    cases = [
        ("head", {}),
        ("get", {"If-None-Match": etag}),
        ("get", {"Range": f"bytes={SIZE}-"}),
        ("get", {"Range": "bytes=0-99"}),
        ("get", {}),
    ]
    for method, headers in cases:
        request = getattr(RequestFactory(), method)("/", headers=headers)
        response = ranged_file_response(
            request, storage=storage, name=stored, content_type="audio/mpeg"
        )
        # A client that hangs up before the first byte: the server only closes the response.
        response.close()
    assert len(storage.opened) == len(cases)
    assert all(file.closed for file in storage.opened)
