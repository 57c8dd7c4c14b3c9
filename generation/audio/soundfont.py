"""Which General MIDI soundfont renders tracks, and loading it once per process.

The SOUNDFONT_PATH setting names one; when it is blank or names no file, the best one
installed is used: FluidR3_GM (Debian's fluid-soundfont-gm, MIT; in the Docker image), else
TimGM6mb, which ships inside pretty_midi and so is always there.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from pathlib import Path

import pretty_midi

# The binding's low-level SoundFont: see synth.py.
from tinysoundfont import _tinysoundfont as tsf

from generation.audio.errors import AudioError

logger = logging.getLogger(__name__)

FALLBACK = Path(pretty_midi.__file__).with_name("TimGM6mb.sf2")

# Best first. Debian's musescore-general-soundfont (MuseScore_General.sf3) is left out on
# purpose: tinysoundfont reads sf3, but it decodes every Ogg sample to float when loading,
# which took 4.2 s and 1.2 GB of RSS per process here, three times the worker's 400 MB budget.
PREFERRED = (Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),)


def soundfont_choose(
    configured: str | Path = "", *, preferred: Sequence[Path] | None = None
) -> Path:
    """The configured soundfont if it is a file, else the first of `preferred` installed,
    else FALLBACK. A configured path that is missing is logged, not fatal: a worker on a
    machine without the package still renders, with the soundfont pretty_midi ships."""
    if str(configured):
        path = Path(configured)
        if path.is_file():
            return path
        logger.warning("SOUNDFONT_PATH %s is not a file; using the best one installed", path)
    return next((path for path in _preferred(preferred) if path.is_file()), FALLBACK)


def soundfont_named(
    name: str, configured: str | Path = "", *, preferred: Sequence[Path] | None = None
) -> Path | None:
    """The soundfont with this file name (as a track records it) if it is installed here."""
    known = [Path(configured)] if str(configured) else []
    return next(
        (
            path
            for path in [*known, *_preferred(preferred), FALLBACK]
            if path.name == name and path.is_file()
        ),
        None,
    )


def _preferred(preferred: Sequence[Path] | None) -> Sequence[Path]:
    # Read at call time, so a test run can stand in for a machine without the package.
    return PREFERRED if preferred is None else preferred


def soundfont_load(path: Path) -> tsf.SoundFont:
    """A fresh synth playing the soundfont at `path`; the samples are read once per process.

    Each render gets its own clone, so channel state never leaks between renders or threads,
    while the samples (about 300 MB of floats for FluidR3) are shared by all of them.
    """
    return tsf.SoundFont(_template(str(path)))


@functools.cache
def _template(path: str) -> tsf.SoundFont:
    # Loaded by file name, not from a bytes object kept in Python: that copy of the file
    # would stay resident beside the decoded samples (148 MB more for FluidR3).
    try:
        return tsf.SoundFont(path)
    except (OSError, RuntimeError, ValueError) as exc:
        raise AudioError(f"could not load the soundfont {path}: {exc}") from exc


def soundfont_unload() -> None:
    """Forget the loaded soundfonts (the benchmark measures one at a time)."""
    _template.cache_clear()
