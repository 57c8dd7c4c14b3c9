"""Finds the ffmpeg binary shipped by imageio-ffmpeg and runs it, failing with AudioError."""

from __future__ import annotations

import contextlib
import functools
import subprocess
import tempfile
import threading
from collections.abc import Sequence

from generation.audio.errors import AudioError


@functools.cache
def ffmpeg_exe() -> str:
    # Imported lazily: the lookup probes the filesystem, and most imports of this package
    # (key detection, Camelot codes) never run ffmpeg.
    import imageio_ffmpeg

    try:
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except RuntimeError as exc:
        raise AudioError(f"no ffmpeg binary available: {exc}") from exc


def base_command() -> list[str]:
    return [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats"]


class FFmpegRun:
    """An ffmpeg process fed raw bytes on stdin from a background thread.

    Feeding from a thread lets the caller do other work (analysis) while ffmpeg encodes.
    stderr goes to a temporary file, not a pipe, so a chatty ffmpeg can never fill a pipe
    and deadlock against our writes.
    """

    def __init__(self, args: Sequence[str], data: memoryview, *, what: str) -> None:
        self.what = what
        # Outlives this method (read in wait()), so no with-block; wait() and kill() close it.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            self._process = subprocess.Popen(
                [*base_command(), *args],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=self._stderr,
            )
        except OSError as exc:
            self._stderr.close()
            raise AudioError(f"could not start ffmpeg to {what}: {exc}") from exc
        self._feeder = threading.Thread(target=self._feed, args=(data,), daemon=True)
        self._feeder.start()

    def _feed(self, data: memoryview) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        try:
            stdin.write(data)
        except (BrokenPipeError, OSError):
            pass  # ffmpeg quit early; its exit status and stderr say why
        finally:
            with contextlib.suppress(OSError):
                stdin.close()

    def wait(self) -> None:
        """Wait for ffmpeg to finish; raise AudioError with its message if it failed."""
        try:
            self._feeder.join()
            code = self._process.wait()
            self._stderr.seek(0)
            message = self._stderr.read().decode(errors="replace").strip()
        finally:
            self._stderr.close()
        if code != 0:
            tail = message[-2000:] or "no message"
            raise AudioError(f"ffmpeg failed to {self.what} (exit status {code}): {tail}")

    def kill(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        self._feeder.join()
        self._stderr.close()


def run(args: Sequence[str], *, what: str, check: bool = True) -> str:
    """Run ffmpeg to completion and return its stderr (where it prints stream information)."""
    try:
        done = subprocess.run(
            [*base_command(), *args], stdin=subprocess.DEVNULL, capture_output=True, check=False
        )
    except OSError as exc:
        raise AudioError(f"could not start ffmpeg to {what}: {exc}") from exc
    stderr = done.stderr.decode(errors="replace")
    if check and done.returncode != 0:
        raise AudioError(
            f"ffmpeg failed to {what} (exit status {done.returncode}): {stderr[-2000:]}"
        )
    return stderr
