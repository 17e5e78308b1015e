#!/usr/bin/env bash
# Start, stop and inspect a local example cluster on loopback (cluster-examples/<name>/*.yaml).
#
#   scripts/cluster.sh start  [three-node|five-node]   agents in the background, waits for a leader
#   scripts/cluster.sh stop   [three-node|five-node]   SIGTERM (leader hands over), SIGKILL after 10 s
#   scripts/cluster.sh status [three-node|five-node]   palisade status against every member
#   scripts/cluster.sh clean  [three-node|five-node]   stop, then delete the cluster's data
#
# Pid files, logs (JSON lines) and data live under ./data/<name>/. Run from anywhere; paths are
# relative to the repository root. Needs the build: npm run build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

usage() {
  echo "usage: scripts/cluster.sh start|stop|status|clean [three-node|five-node]" >&2
  exit 2
}

[[ $# -ge 1 && $# -le 2 ]] || usage
ACTION="$1"
NAME="${2:-three-node}"
CONF_DIR="cluster-examples/$NAME"
DATA="data/$NAME"
CLI=(node "$ROOT/dist/src/cli/main.js")
# Keeps snapshot-sized buffers out of glibc's main heap, so their memory is returned (README,
# "Memory"); an operator's own value wins.
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-131072}"
START_TIMEOUT_S=20
STOP_TIMEOUT_S=10

[[ -d "$CONF_DIR" ]] || { echo "no such example cluster: $CONF_DIR (try three-node or five-node)" >&2; exit 2; }
[[ -f "$ROOT/dist/src/cli/main.js" ]] || { echo "dist/src/cli/main.js is missing: run npm run build first" >&2; exit 1; }

configs() { ls "$CONF_DIR"/*.yaml; }
endpoints() { sed -n 's/^listen:[[:space:]]*//p' "$CONF_DIR"/*.yaml | paste -sd, -; }
alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  mkdir -p "$DATA"
  for conf in $(configs); do
    local id pidfile
    id="$(basename "$conf" .yaml)"
    pidfile="$DATA/$id.pid"
    if alive "$pidfile"; then
      echo "$id already running (pid $(cat "$pidfile"))"
      continue
    fi
    nohup "${CLI[@]}" agent --config "$conf" >>"$DATA/$id.log" 2>&1 &
    echo $! >"$pidfile"
    echo "started $id (pid $!, log $DATA/$id.log)"
  done
  echo "waiting up to ${START_TIMEOUT_S}s for a leader..."
  local deadline=$((SECONDS + START_TIMEOUT_S))
  until "${CLI[@]}" status --endpoints "$(endpoints)" --timeout 1000 >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "no leader after ${START_TIMEOUT_S}s; see the logs in $DATA/" >&2
      "${CLI[@]}" status --endpoints "$(endpoints)" --timeout 1000 || true
      exit 4
    fi
    sleep 0.2
  done
  "${CLI[@]}" status --endpoints "$(endpoints)"
}

stop() {
  local pids=()
  for pidfile in "$DATA"/*.pid; do
    [[ -e "$pidfile" ]] || continue
    if alive "$pidfile"; then
      kill -TERM "$(cat "$pidfile")"
      pids+=("$pidfile")
    else
      rm -f "$pidfile"
    fi
  done
  local deadline=$((SECONDS + STOP_TIMEOUT_S))
  for pidfile in "${pids[@]}"; do
    while alive "$pidfile" && ((SECONDS < deadline)); do sleep 0.1; done
    if alive "$pidfile"; then
      echo "$(basename "$pidfile" .pid) did not stop within ${STOP_TIMEOUT_S}s: SIGKILL" >&2
      kill -KILL "$(cat "$pidfile")" 2>/dev/null || true
    fi
    echo "stopped $(basename "$pidfile" .pid)"
    rm -f "$pidfile"
  done
}

case "$ACTION" in
  start) start ;;
  stop) stop ;;
  status) exec "${CLI[@]}" status --endpoints "$(endpoints)" ;;
  clean)
    stop
    rm -rf "$DATA"
    echo "removed $DATA"
    ;;
  *) usage ;;
esac
