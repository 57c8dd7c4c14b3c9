#!/usr/bin/env bash
# Create .venv and install the project's packages (runtime, or dev for tests).
# Shared by run.sh, test.sh and .ci/run; a quick no-op when pyproject.toml has not changed.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-runtime}"
PYTHON="${PYTHON:-python3}"

if [ ! -x .venv/bin/python ]; then
  echo "==> Creating .venv with $("$PYTHON" --version)"
  "$PYTHON" -m venv .venv
fi
hash="$(sha256sum pyproject.toml | cut -c1-16)"
stamp=".venv/.installed-$what-$hash"
# The dev set includes the runtime set.
if [ ! -f "$stamp" ] && [ ! -f ".venv/.installed-dev-$hash" ]; then
  echo "==> Installing packages ($what); the first time takes a few minutes"
  log=.venv/install.log
  : >"$log"
  # pip's chatter goes to the log; on a failure its tail is shown.
  quiet() {
    "$@" >>"$log" 2>&1 || { tail -n 30 "$log" >&2; echo "install failed; see $log" >&2; exit 1; }
  }
  quiet .venv/bin/python -m pip install -q --upgrade pip
  if [ "$what" = dev ]; then
    quiet .venv/bin/python -m pip install -q -e ".[dev,local]"
  else
    quiet .venv/bin/python -m pip install -q -e ".[local]"
  fi
  # tinysoundfont's optional pyaudio dependency does not build without system headers.
  quiet .venv/bin/python -m pip install -q --no-deps "tinysoundfont>=0.3.7,<0.4"
  touch "$stamp"
fi
