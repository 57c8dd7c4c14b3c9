"""Where Redis is. An empty REDIS_URL means "no Redis": in-process tasks, in-memory channels."""

import environ

env = environ.Env()

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
REDIS_AVAILABLE = bool(REDIS_URL)
