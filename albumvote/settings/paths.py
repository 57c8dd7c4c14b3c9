"""Where the project and its data folder are; imported by base and the integration modules."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parents[2]
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
DATA_DIR = Path(environ.Env().str("DATA_DIR", default=str(BASE_DIR / "data")))
