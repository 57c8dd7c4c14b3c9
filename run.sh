#!/usr/bin/env bash
# Bring up the whole of AlbumVote on this machine, with no questions asked:
# venv, packages, migrations, the composer model, a producer account, web + worker + beat,
# and a first batch of tracks when there are none. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")"

PORT="${PORT:-8000}"
HOST="${HOST:-127.0.0.1}"
FIRST_BATCH="${FIRST_BATCH:-6}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-albumvote.settings.dev}"
export PYTHONUNBUFFERED=1
export DATA_DIR="${DATA_DIR:-$PWD/data}"
LOGS="$DATA_DIR/logs"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# 1. Packages -----------------------------------------------------------------------------------
./.ci/install.sh runtime
PY=.venv/bin/python
mkdir -p "$LOGS"

# 2. PostgreSQL and Redis: the configured ones, the usual local ones, or embedded ones ----------
pids=()
names=()
services_pid=""
stop() {
  local status="${1:-0}"
  trap - INT TERM EXIT
  say "Stopping"
  if [ ${#pids[@]} -gt 0 ]; then
    # Asked to stop, they finish what they are doing (Celery's warm shutdown, uvicorn's open
    # sockets). After 20 s the rest is forced, so Ctrl-C never leaves anything behind.
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 1 200); do
      alive=0
      for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
      [ "$alive" = 0 ] && break
      sleep 0.1
    done
    for pid in "${pids[@]}"; do
      if kill -0 "$pid" 2>/dev/null; then
        say "Forcing process $pid to stop"
        pkill -KILL -P "$pid" 2>/dev/null || true
        kill -KILL "$pid" 2>/dev/null || true
      fi
    done
    wait "${pids[@]}" 2>/dev/null || true
  fi
  # The database and Redis go last: the others used them until they stopped.
  if [ -n "$services_pid" ]; then
    kill -TERM "$services_pid" 2>/dev/null || true
    wait "$services_pid" 2>/dev/null || true
  fi
  say "Stopped"
  exit "$status"
}
trap 'stop 130' INT
trap 'stop 143' TERM
trap 'stop $?' EXIT

# shellcheck source=.ci/services.sh
. .ci/services.sh
start_services "$DATA_DIR" albumvote "$DATA_DIR/services.env" "$LOGS/services.log" || exit 1
say "Using $(grep -m 1 '^PostgreSQL: ' "$LOGS/services.log")"

# 3. Database and model --------------------------------------------------------------------------
say "Migrating the database"
"$PY" manage.py migrate --noinput | grep -v "^  Applying" || true
"$PY" manage.py collectstatic --noinput -v 0
say "Checking the composer model"
"$PY" manage.py train_composer --if-missing
"$PY" manage.py create_producer > "$LOGS/producer.txt"
LOGIN="$(cat "$LOGS/producer.txt")"

# 4. Processes ----------------------------------------------------------------------------------

while ! "$PY" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('$HOST', $PORT)) == 0)"; do
  PORT=$((PORT + 1))
done
# Web, worker and beat run in process groups of their own (set -m while they start), so
# Ctrl-C reaches this script alone and its trap stops them. When Ctrl-C reached them too, one
# could end before the trap had run, and its ending was reported as a crash (seen under load).
set -m
say "Starting web on http://$HOST:$PORT (logs in $LOGS/)"
# Live updates are small JSON frames: compressing each one per socket costs more than it saves.
.venv/bin/uvicorn albumvote.asgi:application --host "$HOST" --port "$PORT" \
  --ws-per-message-deflate false --timeout-graceful-shutdown 5 >"$LOGS/web.log" 2>&1 &
pids+=($!)
names+=(web)
say "Starting Celery worker (2 processes, queues generation + default) and beat"
.venv/bin/celery -A albumvote worker -Q generation,default -c 2 --loglevel INFO \
  >"$LOGS/worker.log" 2>&1 &
pids+=($!)
names+=(worker)
.venv/bin/celery -A albumvote beat --loglevel INFO \
  --scheduler django_celery_beat.schedulers:DatabaseScheduler >"$LOGS/beat.log" 2>&1 &
pids+=($!)
names+=(beat)
set +m

for _ in $(seq 1 100); do
  "$PY" -c "import urllib.request; urllib.request.urlopen('http://$HOST:$PORT/', timeout=1)" \
    2>/dev/null && break
  sleep 0.2
done

# 5. A first batch, so there is something to hear ------------------------------------------------
ready_tracks() {
  "$PY" manage.py shell -v 0 -c \
    'from generation.models import Track; print(Track.objects.filter(status="ready").count())'
}
if [ "$("$PY" manage.py shell -v 0 -c 'from generation.models import Track; print(Track.objects.exists())')" = "False" ]; then
  say "No tracks yet: composing a first batch of $FIRST_BATCH"
  "$PY" manage.py generate_batch --count "$FIRST_BATCH" --wait || true
  # The quality check can turn a whole small batch down; the site needs something to play.
  for attempt in 2 3; do
    [ "$(ready_tracks)" != "0" ] && break
    say "No track passed the quality check yet: composing another batch (try $attempt of 3)"
    "$PY" manage.py generate_batch --count "$FIRST_BATCH" --wait || true
  done
fi

cat <<EOF

  AlbumVote is up:  http://$HOST:$PORT/
  Producers:        http://$HOST:$PORT/producer/  (dashboard, albums)
  Admin:            http://$HOST:$PORT/admin/
  $LOGIN

  Logs: $LOGS/web.log, worker.log, beat.log, services.log. Ctrl-C stops everything.

EOF
# Here until Ctrl-C (the trap stops everything), or until one of the three ends on its own.
wait -n "${pids[@]}" || true
for i in "${!pids[@]}"; do
  if ! kill -0 "${pids[$i]}" 2>/dev/null; then
    say "The ${names[$i]} process ended on its own; see $LOGS/${names[$i]}.log"
  fi
done
stop 1
