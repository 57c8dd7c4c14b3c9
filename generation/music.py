"""The current composer model, loaded once per process and reloaded when it is retrained."""

import threading
from pathlib import Path

from django.conf import settings

from . import composer

_lock = threading.Lock()
_cached: tuple[Path, float, "composer.ComposerModel"] | None = None


def model_get() -> "composer.ComposerModel":
    """Load the current model from COMPOSER_MODEL_DIR, keeping it while the files are unchanged."""
    global _cached
    model_dir = Path(settings.COMPOSER_MODEL_DIR)
    stamp = _dir_stamp(model_dir)
    with _lock:
        if _cached is None or _cached[0] != model_dir or _cached[1] != stamp:
            _cached = (model_dir, stamp, composer.load_model(model_dir))
        return _cached[2]


def _dir_stamp(model_dir: Path) -> float:
    # The pointer to the current artifact is replaced atomically when a model is trained.
    try:
        return max(p.stat().st_mtime for p in model_dir.iterdir())
    except (FileNotFoundError, ValueError):
        return 0.0
