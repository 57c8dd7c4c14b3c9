"""Where one vote's CPU goes, measured in-process (no HTTP server, no load generator).

    .venv/bin/python bench/vote_costs.py [--requests 3000]

Calls the production WSGI application directly, one request at a time, against PostgreSQL and
Redis, and prints the CPU time per request of: the trivial view (/ping, the ceiling's
endpoint), a full rating, and the rating with its parts replaced by stubs (rate limit, then
the database call), so the difference is each part's cost. Ends with one JSON line.
"""

import argparse
import io
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.vote_setup import CSRF, listener_cookies, prepare, server_env  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="albumvote-costs-") as tmp:
        tracks, people = prepare(50, 500, Path(tmp))
        os.environ.update(server_env(Path(tmp)))
        cookies = listener_cookies(people)
        figures = measure(tracks, cookies, args.requests)
    print(json.dumps(figures))


def measure(tracks: list[int], cookies: list[str], requests: int) -> dict[str, float]:
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    rng = random.Random(1)

    def call(path: str, method: str = "GET", body: bytes = b"", cookie: str = "") -> str:
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
        }
        if cookie:
            environ["HTTP_COOKIE"] = f"albumvote_listener={cookie}; csrftoken={CSRF}"
            environ["HTTP_X_CSRFTOKEN"] = CSRF
        status: list[str] = []
        b"".join(app(environ, lambda s, h, e=None: status.append(s)))  # type: ignore[arg-type]
        return status[0]

    def rate() -> str:
        body = json.dumps({"stars": rng.randint(1, 5)}).encode()
        path = f"/api/v1/tracks/{rng.choice(tracks)}/rating/"
        return call(path, "POST", body, rng.choice(cookies))

    def cpu_ms(fn: Callable[[], str]) -> float:
        for _ in range(200):
            assert fn()[:1] == "2", fn()
        started = time.process_time()
        for _ in range(requests):
            fn()
        return (time.process_time() - started) / requests * 1000

    from curation import throttles
    from curation.services import ratings

    figures = {"ping_cpu_ms": cpu_ms(lambda: call("/ping")), "rating_cpu_ms": cpu_ms(rate)}
    throttles.throttled = lambda *a, **k: None
    figures["rating_no_limits_cpu_ms"] = cpu_ms(rate)
    # curation_rate's row for a rating that changes nothing: 3 stars, counted, one rating.
    unchanged = ("unchanged", 1, 60.0, 20.0, False, True, 1, 3, 0, 0, 1, 0, 0, 1)
    ratings._rate_in_database = lambda vote: unchanged
    figures["rating_django_only_cpu_ms"] = cpu_ms(rate)
    figures = {key: round(value, 3) for key, value in figures.items()}
    print(f"/ping: {figures['ping_cpu_ms']} ms CPU per request")
    print(f"rating: {figures['rating_cpu_ms']} ms")
    print(f"  without the Redis rate limit: {figures['rating_no_limits_cpu_ms']} ms")
    print(f"  and without the database call: {figures['rating_django_only_cpu_ms']} ms")
    return figures


if __name__ == "__main__":
    main()
