# Stop, status and the command dispatch shared by the scripts that run a local server in the background
# (scripts/neo4j.sh, scripts/kafka.sh). Source it after defining PID_FILE, log() and running_pid() (the pid of
# our server if it is running, else empty) and a start() function.

# stop_daemon GRACE: TERM the server, wait up to GRACE seconds for a clean shutdown, then KILL it.
stop_daemon() {
  local grace="$1" pid
  pid="$(running_pid)"
  if [[ -z "$pid" ]]; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  kill "$pid"
  for _ in $(seq "$grace"); do
    ps -p "$pid" >/dev/null 2>&1 || break
    sleep 1
  done
  if ps -p "$pid" >/dev/null 2>&1; then
    log "forcing kill of $pid"
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
  log "stopped"
}

# daemon_status ADDRESS: "running: ADDRESS (pid N)", or "not running" and status 1.
daemon_status() {
  if [[ -n "$(running_pid)" ]]; then
    echo "running: $1 (pid $(running_pid))"
  else
    echo "not running"
    return 1
  fi
}

# daemon_main "$@": start | stop | status.
daemon_main() {
  case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 {start|stop|status}" >&2; exit 2 ;;
  esac
}
