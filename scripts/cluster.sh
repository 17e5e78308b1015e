#!/usr/bin/env bash
# Start, stop and inspect a local example cluster on loopback (cluster-examples/<name>/*.yaml).
#
#   scripts/cluster.sh start  [three-node|five-node]   agents in the background, waits for a leader
#   scripts/cluster.sh stop   [three-node|five-node]   SIGTERM (leader hands over), SIGKILL after 10 s
#   scripts/cluster.sh status [three-node|five-node]   palisade status against every member
#   scripts/cluster.sh clean  [three-node|five-node]   stop, then delete the cluster's data
#
#   scripts/cluster.sh start three-node --tls          the same with mutual TLS (README, "Security")
#
# Pid files, logs (JSON lines) and data live under ./data/<name>/. Run from anywhere; paths are
# relative to the repository root. Needs the build: npm run build.
#
# --tls: `palisade certs` makes a CA, a certificate per node and an admin user's certificate in
# ./data/<name>/pki/ (kept across restarts; `clean` deletes them). Each agent also gets
# --tls-ca/--tls-cert/--tls-key and --client-listen on its listen port + 100 (7201, ...): with
# TLS the client API has its own port. `status` (and the CLI with the PALISADE_* variables the
# script prints) then talks to those ports as the admin user. The mode is remembered in
# ./data/<name>/tls until the cluster is stopped.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

usage() {
  echo "usage: scripts/cluster.sh start|stop|status|clean [three-node|five-node] [--tls]" >&2
  exit 2
}

TLS_FLAG=0
ARGS=()
for arg in "$@"; do
  case "$arg" in
    --tls) TLS_FLAG=1 ;;
    -*) usage ;;
    *) ARGS+=("$arg") ;;
  esac
done
[[ ${#ARGS[@]} -ge 1 && ${#ARGS[@]} -le 2 ]] || usage
ACTION="${ARGS[0]}"
NAME="${ARGS[1]:-three-node}"
[[ $TLS_FLAG -eq 0 || "$ACTION" == start ]] || { echo "--tls is for start (the other actions follow the running cluster's mode)" >&2; exit 2; }
CONF_DIR="cluster-examples/$NAME"
DATA="data/$NAME"
PKI="$DATA/pki"
TLS_MARK="$DATA/tls"
# The client port of a node with TLS: its listen port + 100 (the example's ports leave room).
CLIENT_PORT_OFFSET=100
CLI=(node "$ROOT/dist/src/cli/main.js")
# Keeps snapshot-sized buffers out of glibc's main heap, so their memory is returned (README,
# "Memory"); an operator's own value wins.
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-131072}"
START_TIMEOUT_S=20
STOP_TIMEOUT_S=10

[[ -d "$CONF_DIR" ]] || { echo "no such example cluster: $CONF_DIR (try three-node or five-node)" >&2; exit 2; }
[[ -f "$ROOT/dist/src/cli/main.js" ]] || { echo "dist/src/cli/main.js is missing: run npm run build first" >&2; exit 1; }

configs() { ls "$CONF_DIR"/*.yaml; }
listen_of() { sed -n 's/^listen:[[:space:]]*//p' "$1"; }
client_of() { local l; l="$(listen_of "$1")"; echo "${l%:*}:$((${l##*:} + CLIENT_PORT_OFFSET))"; }
tls_on() { [[ -f "$TLS_MARK" ]]; }
endpoints() {
  local conf out=()
  for conf in $(configs); do
    if tls_on; then out+=("$(client_of "$conf")"); else out+=("$(listen_of "$conf")"); fi
  done
  (IFS=,; echo "${out[*]}")
}
alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
any_alive() {
  local pidfile
  for pidfile in "$DATA"/*.pid; do alive "$pidfile" && return 0; done
  return 1
}

# The admin user's credentials for the CLI, as the environment (PALISADE_CACERT, ...).
use_tls_credentials() {
  export PALISADE_CACERT="$ROOT/$PKI/ca.crt" PALISADE_CERT="$ROOT/$PKI/user-admin.crt" PALISADE_KEY="$ROOT/$PKI/user-admin.key"
}

# A CA, one certificate per node and an admin user, made once; existing files are kept.
make_pki() {
  local conf id
  [[ -f "$PKI/ca.key" ]] || "${CLI[@]}" certs init "$PKI" >/dev/null
  for conf in $(configs); do
    id="$(basename "$conf" .yaml)"
    [[ -f "$PKI/node-$id.crt" ]] || "${CLI[@]}" certs issue --dir "$PKI" --node "$id" >/dev/null
  done
  [[ -f "$PKI/user-admin.crt" ]] || "${CLI[@]}" certs issue --dir "$PKI" --user admin --role admin >/dev/null
  echo "certificates in $PKI/ (CA, node-<id>, user-admin)"
}

start() {
  mkdir -p "$DATA"
  if any_alive; then
    if tls_on && [[ $TLS_FLAG -eq 0 ]]; then echo "$NAME is running with TLS: start it with --tls, or stop it first" >&2; exit 2; fi
    if ! tls_on && [[ $TLS_FLAG -eq 1 ]]; then echo "$NAME is running without TLS: stop it first, then start it with --tls" >&2; exit 2; fi
  fi
  if [[ $TLS_FLAG -eq 1 ]]; then
    make_pki
    touch "$TLS_MARK"
    use_tls_credentials
  else
    rm -f "$TLS_MARK"
  fi
  for conf in $(configs); do
    local id pidfile tls_args=()
    id="$(basename "$conf" .yaml)"
    pidfile="$DATA/$id.pid"
    if alive "$pidfile"; then
      echo "$id already running (pid $(cat "$pidfile"))"
      continue
    fi
    if tls_on; then
      tls_args=(--client-listen "$(client_of "$conf")" --tls-ca "$PKI/ca.crt" --tls-cert "$PKI/node-$id.crt" --tls-key "$PKI/node-$id.key")
    fi
    nohup "${CLI[@]}" agent --config "$conf" ${tls_args[@]+"${tls_args[@]}"} >>"$DATA/$id.log" 2>&1 &
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
  if tls_on; then
    echo "the CLI as the admin user (client ports $(endpoints)):"
    echo "  export PALISADE_ENDPOINTS=$(endpoints) PALISADE_CACERT=$PALISADE_CACERT"
    echo "  export PALISADE_CERT=$PALISADE_CERT PALISADE_KEY=$PALISADE_KEY"
  fi
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
  rm -f "$TLS_MARK"
}

case "$ACTION" in
  start) start ;;
  stop) stop ;;
  status)
    if tls_on; then use_tls_credentials; fi
    exec "${CLI[@]}" status --endpoints "$(endpoints)"
    ;;
  clean)
    stop
    rm -rf "$DATA"
    echo "removed $DATA"
    ;;
  *) usage ;;
esac
