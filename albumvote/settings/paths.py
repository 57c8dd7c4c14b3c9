"""Where the project and its data folder are; imported by base and the integration modules."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parents[2]
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
DATA_DIR = Path(environ.Env().str("DATA_DIR", default=str(BASE_DIR / "data")))
# While ./run.sh runs, manage.py in another terminal uses the same PostgreSQL and Redis (it may
# have started embedded ones; albumvote/devservices.py writes their addresses here).
if (DATA_DIR / "services.env").exists():
    environ.Env.read_env(DATA_DIR / "services.env", overwrite=False)
