"""Serving stored files with byte ranges and revalidation (RFC 9110), or handing them to nginx.

Django's FileResponse answers every request with the whole file, so audio players cannot seek.
`ranged_file_response` answers a single byte range with 206 Partial Content. A request for
several ranges is answered with the whole file (200): RFC 9110 lets a server ignore Range, and
players only ever ask for one range, so multipart/byteranges would be code nobody runs.

In production (`MEDIA_ACCEL_REDIRECT_PREFIX` set) Django only decides who may have the file and
answers with `X-Accel-Redirect`; nginx then sends the bytes, ranges and validators itself.
"""

import hashlib
import os
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import IO
from urllib.parse import quote

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.files.storage import Storage
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date, parse_http_date_safe

CHUNK_SIZE = 64 * 1024
# Generated files keep their name when a retried task rewrites them, so they are not immutable;
# an hour bounds how long a cache can serve an old version (the ETag changes with the file).
CACHE_CONTROL = "public, max-age=3600"

_INT_RANGE = re.compile(r"([0-9]+)-([0-9]*)")
_SUFFIX_RANGE = re.compile(r"-([0-9]+)")
# Python refuses to parse integers of more than 4300 digits; no file is 10**18 bytes long.
_MAX_POSITION_DIGITS = 18
_BEYOND_ANY_FILE = 10**_MAX_POSITION_DIGITS


class RangeNotSatisfiable(Exception):
    """The Range header is well formed but selects no byte of the file (answer 416)."""


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive, as in Content-Range

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def parse_range(header: str, size: int) -> ByteRange | None:
    """The one byte range a Range header asks for, clipped to the file.

    None means "send the whole file": a malformed header, another unit, several ranges, or an
    empty file (RFC 9110 14.2 lets a server ignore Range). Raises RangeNotSatisfiable when the
    header is valid but starts past the end of the file, or asks for a zero-length suffix.
    """
    unit, equals, range_set = header.partition("=")
    if not equals or unit.strip().lower() != "bytes" or size == 0:
        return None
    # The list syntax (RFC 9110 5.6.1) allows empty elements: "bytes=0-99," is one range.
    specs = [spec.strip() for spec in range_set.split(",") if spec.strip()]
    if len(specs) != 1:
        return None
    spec = specs[0]
    if suffix := _SUFFIX_RANGE.fullmatch(spec):
        suffix_length = _position(suffix.group(1))
        if suffix_length == 0:
            raise RangeNotSatisfiable
        return ByteRange(max(0, size - suffix_length), size - 1)
    if int_range := _INT_RANGE.fullmatch(spec):
        first = _position(int_range.group(1))
        last = _position(int_range.group(2)) if int_range.group(2) else None
        if last is not None and last < first:
            return None  # an invalid range-spec, not an unsatisfiable one
        if first >= size:
            raise RangeNotSatisfiable
        return ByteRange(first, size - 1 if last is None else min(last, size - 1))
    return None


def _position(digits: str) -> int:
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= _MAX_POSITION_DIGITS else _BEYOND_ANY_FILE


def ranged_file_response(
    request: HttpRequest,
    *,
    storage: Storage,
    name: str,
    content_type: str,
    filename: str | None = None,
    as_attachment: bool = False,
) -> HttpResponseBase:
    """Answer a GET or HEAD for a stored file: 200, 206, 304, 412 or 416; 404 if it is gone."""
    disposition = content_disposition_header(as_attachment, filename or "")
    prefix = settings.MEDIA_ACCEL_REDIRECT_PREFIX
    if prefix:
        return _accel_redirect(prefix, name, content_type, disposition)
    try:
        file = storage.open(name, "rb")
    except FileNotFoundError as error:
        raise Http404("The file is missing from storage") from error
    try:
        response = _file_response(request, file, storage, name, content_type, disposition)
    except BaseException:
        file.close()
        raise
    if not response.streaming:
        file.close()
    return response


def _accel_redirect(
    prefix: str, name: str, content_type: str, disposition: str | None
) -> HttpResponse:
    # nginx passes Content-Type, Content-Disposition and Cache-Control on to the client and
    # percent-decodes the redirect URI, so any stored name survives the header.
    response = HttpResponse(content_type=content_type)
    response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name.lstrip("/"))
    response["Cache-Control"] = CACHE_CONTROL
    if disposition:
        response["Content-Disposition"] = disposition
    return response


def _file_response(
    request: HttpRequest,
    file: IO[bytes],
    storage: Storage,
    name: str,
    content_type: str,
    disposition: str | None,
) -> HttpResponseBase:
    size, mtime = _size_and_mtime(file, storage, name)
    etag = _etag(name, size, mtime)
    validators = {"ETag": etag, "Last-Modified": http_date(mtime)}
    headers = {"Accept-Ranges": "bytes", **validators, "Cache-Control": CACHE_CONTROL}
    if disposition:
        headers["Content-Disposition"] = disposition

    # If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since, in RFC 9110's order;
    # Django copies ETag, Last-Modified and Cache-Control onto a 304 from the response given.
    full = HttpResponse(content_type=content_type, headers=headers)
    conditional = get_conditional_response(
        request, etag=etag, last_modified=int(mtime), response=full
    )
    if conditional is not None and conditional is not full:
        return conditional

    byte_range = None
    range_header = request.headers.get("Range")
    # Range is defined for GET only (RFC 9110 14.2): a HEAD describes the whole file.
    if range_header and request.method == "GET" and _if_range_holds(request, etag, mtime):
        try:
            byte_range = parse_range(range_header, size)
        except RangeNotSatisfiable:
            # No Cache-Control: a cacheable 416 would outlive a file that grows on re-render.
            unsatisfiable = {"Accept-Ranges": "bytes", "Content-Range": f"bytes */{size}"}
            return HttpResponse(status=416, headers=unsatisfiable | validators)

    if request.method == "HEAD":
        full["Content-Length"] = str(size)
        return full

    body = _AsyncFileSlice if isinstance(request, ASGIRequest) else _SyncFileSlice
    start, length = (0, size) if byte_range is None else (byte_range.start, byte_range.length)
    response = StreamingHttpResponse(
        body(file, start, length),
        status=200 if byte_range is None else 206,
        content_type=content_type,
        headers=headers,
    )
    response["Content-Length"] = str(length)
    if byte_range is not None:
        response["Content-Range"] = f"bytes {start}-{byte_range.end}/{size}"
    return response


def _size_and_mtime(file: IO[bytes], storage: Storage, name: str) -> tuple[int, float]:
    """Describe the file that was opened: a retried task may have replaced the name since."""
    try:
        stat = os.fstat(file.fileno())
    except (AttributeError, OSError, ValueError):  # not a real file (an in-memory storage)
        return storage.size(name), storage.get_modified_time(name).timestamp()
    return stat.st_size, stat.st_mtime


def _etag(name: str, size: int, mtime: float) -> str:
    # Strong: the bytes only change when the file is rewritten, which changes size or mtime.
    digest = hashlib.blake2b(f"{name}\0{size}\0{mtime!r}".encode(), digest_size=16)
    return f'"{digest.hexdigest()}"'


def _if_range_holds(request: HttpRequest, etag: str, mtime: float) -> bool:
    """RFC 9110 13.1.5: honour Range only if the client's copy is still the current file."""
    value = request.headers.get("If-Range")
    if value is None:
        return True
    value = value.strip()
    if value.startswith(('"', 'W/"')):
        return value == etag  # strong comparison: a weak tag never matches
    return parse_http_date_safe(value) == int(mtime)


class _FileSlice:
    """`length` bytes of an open file from `start`, read a chunk at a time."""

    def __init__(self, file: IO[bytes], start: int, length: int) -> None:
        self.file = file
        self.remaining = length
        file.seek(start)

    def read_chunk(self) -> bytes:
        if self.remaining <= 0:
            return b""
        chunk = self.file.read(min(CHUNK_SIZE, self.remaining))
        # A file cut short under us ends the body early rather than looping forever.
        self.remaining = self.remaining - len(chunk) if chunk else 0
        return chunk

    def close(self) -> None:
        # StreamingHttpResponse calls this when the response is closed, sent or not.
        self.file.close()


class _SyncFileSlice(_FileSlice):
    # For WSGI servers: Django would buffer a whole async iterator to serve it synchronously.
    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read_chunk():
            yield chunk


class _AsyncFileSlice(_FileSlice):
    # For ASGI servers: Django reads a sync iterator into one list (the whole file in memory)
    # before sending it, so reads happen in a thread and chunks go out as they come.
    async def __aiter__(self) -> AsyncIterator[bytes]:
        read_chunk = sync_to_async(self.read_chunk, thread_sensitive=False)
        while chunk := await read_chunk():
            yield chunk
