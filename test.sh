#!/usr/bin/env bash
# Run every check: ruff (lint + format), mypy, makemigrations --check and the pytest suite,
# against real PostgreSQL and Redis: DATABASE_URL/REDIS_URL when set, else the usual local
# servers when they answer, else embedded ones started here (and stopped at the end).
set -euo pipefail
cd "$(dirname "$0")"
./.ci/install.sh dev
export DJANGO_SETTINGS_MODULE=albumvote.settings.test
PY=.venv/bin/python

services_dir="$(mktemp -d "${TMPDIR:-/tmp}/albumvote-test-services.XXXXXX")"
services_pid=""
finish() {
  if [ -n "$services_pid" ]; then
    kill -TERM "$services_pid" 2>/dev/null || true
    wait "$services_pid" 2>/dev/null || true
  fi
  rm -rf "$services_dir"
}
trap finish EXIT
# shellcheck source=.ci/services.sh
. .ci/services.sh
start_services "$services_dir" test "$services_dir/services.env" "$services_dir/services.log"
# The tests' counters, locks and live updates use a Redis database of their own.
TEST_REDIS_URL="${TEST_REDIS_URL:-$("$PY" -c 'import sys, urllib.parse as u; print(u.urlsplit(sys.argv[1])._replace(path="/15").geturl())' "$REDIS_URL")}"
export TEST_REDIS_URL
echo "==> $(grep -m 1 '^PostgreSQL: ' "$services_dir/services.log")"

echo "==> ruff check";        .venv/bin/ruff check .
echo "==> ruff format";       .venv/bin/ruff format --check .
echo "==> mypy";              .venv/bin/mypy .
echo "==> makemigrations";    "$PY" manage.py makemigrations --check --dry-run
echo "==> pytest";            .venv/bin/pytest "$@"
