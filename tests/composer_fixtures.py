"""Pytest plugin: a small composer model, trained once per test session, for every test that
composes (composer, service and worker tests).

The parse cache is shared with real runs (COMPOSER_CACHE_DIR, else data/cache), so only the
first session on a machine parses music; later sessions train from the cache in seconds.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generation.composer import ComposerModel, load_model, train
from generation.composer.model import POINTER

# A few hundred tunes and some chorales: enough for every preset's meter and style, small
# enough to parse from scratch in well under 30 s on two cores.
FIXTURE_COLLECTIONS = ("bach", "oneills1850", "ryansMammoth", "airdsAirs", "nottingham", "miscFolk")
FIXTURE_LIMIT = 80
_trained: dict[str, Path] = {}


def composer_cache_dir() -> Path:
    configured = os.environ.get("COMPOSER_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[1] / "data" / "cache"


@pytest.fixture(scope="session")
def composer_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder holding a freshly trained small model (and its "current" pointer)."""
    # Module-level memo: the fixture may be registered both as a plugin and through a
    # conftest import; either way the session trains once.
    if "dir" not in _trained:
        model_dir = tmp_path_factory.mktemp("composer-model")
        train(
            FIXTURE_COLLECTIONS,
            cache_dir=composer_cache_dir(),
            model_dir=model_dir,
            limit=FIXTURE_LIMIT,
            workers=2,
        )
        _trained["dir"] = model_dir
    return _trained["dir"]


@pytest.fixture(scope="session")
def composer_model(composer_model_dir: Path) -> ComposerModel:
    return load_model(composer_model_dir)


@pytest.fixture
def own_model_dir(settings, composer_model_dir: Path, tmp_path: Path) -> Path:
    """A model folder of the test's own, holding the session's small model as current: for
    tests that train candidates or move the "current" pointer."""
    model_dir = tmp_path / "own-models"
    model_dir.mkdir()
    current = (composer_model_dir / POINTER).read_text().strip()
    shutil.copy2(composer_model_dir / current, model_dir / current)
    (model_dir / POINTER).write_text(current + "\n")
    settings.COMPOSER_MODEL_DIR = model_dir
    settings.COMPOSER_CACHE_DIR = composer_cache_dir()
    return model_dir
