"""Composer model artifacts and the music21 parse cache."""

from pathlib import Path

import environ

from ..paths import DATA_DIR

env = environ.Env()

COMPOSER_MODEL_DIR = Path(env.str("COMPOSER_MODEL_DIR", default=str(DATA_DIR / "models")))
COMPOSER_CACHE_DIR = Path(env.str("COMPOSER_CACHE_DIR", default=str(DATA_DIR / "cache")))
# Essen is licensed for non-commercial use only, so it is not trained on unless asked for.
COMPOSER_DEFAULT_COLLECTIONS = env.list(
    "COMPOSER_DEFAULT_COLLECTIONS",
    default=["bach", "oneills1850", "ryansMammoth", "airdsAirs", "nottingham", "miscFolk"],
)
