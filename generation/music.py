"""The composer model: the current one, loaded once per process and reloaded when it is
retrained or another version is promoted, or a chosen version (a duel's candidate)."""

import threading
from collections import OrderedDict
from pathlib import Path

from django.conf import settings

from . import composer
from .composer.model import artifact_path, current_version, read_model

# Artifacts are named by their content, so a loaded version never goes stale: versions are
# kept by name (a duel composes with two at once), the few used last.
KEEP_VERSIONS = 4

_lock = threading.Lock()
_versions: OrderedDict[tuple[Path, str], "composer.ComposerModel"] = OrderedDict()


def model_get(version: str | None = None) -> "composer.ComposerModel":
    """The version named, or the one the "current" pointer names (read on every call, so a
    promotion or rollback is seen by the next track); ModelNotFoundError, saying how to
    train one, when there is none."""
    model_dir = Path(settings.COMPOSER_MODEL_DIR)
    return _version_get(model_dir, version or current_version(model_dir))


def _version_get(model_dir: Path, version: str) -> "composer.ComposerModel":
    key = (model_dir, version)
    with _lock:
        if key in _versions:
            _versions.move_to_end(key)
            return _versions[key]
    model = read_model(artifact_path(model_dir, version))
    with _lock:
        _versions[key] = model
        while len(_versions) > KEEP_VERSIONS:
            _versions.popitem(last=False)
    return model
