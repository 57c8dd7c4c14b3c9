# Sourced by run.sh and test.sh: find or start PostgreSQL and Redis (albumvote.devservices) and
# load their addresses into this shell.
#   start_services DATA_DIR DATABASE ENV_FILE LOG_FILE
# Sets services_pid (the caller stops it on exit); returns 1, with the log shown, when neither
# could be found nor started.
start_services() {
  local data="$1" database="$2" env_file="$3" log_file="$4"
  rm -f "$env_file"
  "$PY" -m albumvote.devservices --data "$data" --database "$database" \
    --env-file "$env_file" >"$log_file" 2>&1 &
  services_pid=$!
  until [ -f "$env_file" ]; do
    if ! kill -0 "$services_pid" 2>/dev/null; then
      cat "$log_file" >&2
      services_pid=""
      echo "Could not find or start PostgreSQL and Redis (above)" >&2
      return 1
    fi
    sleep 0.1
  done
  # shellcheck source=/dev/null
  . "$env_file"
}
