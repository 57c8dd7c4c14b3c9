#!/usr/bin/env bash
# Run every check: ruff (lint + format), mypy, makemigrations --check and the pytest suite.
# Uses DATABASE_URL/REDIS_URL when set; otherwise the local PostgreSQL database `test` and
# Redis when they answer, else SQLite (tests that need Redis or PostgreSQL are then skipped).
set -euo pipefail
cd "$(dirname "$0")"
./.ci/install.sh dev
export DJANGO_SETTINGS_MODULE=albumvote.settings.test
PY=.venv/bin/python

if [ -z "${DATABASE_URL:-}" ] && "$PY" -c "import psycopg; psycopg.connect('postgresql://postgres@127.0.0.1:5432/test', connect_timeout=2).close()" 2>/dev/null; then
  export DATABASE_URL=postgres://postgres@127.0.0.1:5432/test
fi
export REDIS_URL="${REDIS_URL-redis://127.0.0.1:6379/0}"
echo "==> Database: ${DATABASE_URL:-SQLite}; Redis: ${REDIS_URL:-none}"

echo "==> ruff check";        .venv/bin/ruff check .
echo "==> ruff format";       .venv/bin/ruff format --check .
echo "==> mypy";              .venv/bin/mypy .
echo "==> makemigrations";    "$PY" manage.py makemigrations --check --dry-run
echo "==> pytest";            .venv/bin/pytest "$@"
