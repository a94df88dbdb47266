#!/usr/bin/env bash
# Farm scheduler benchmark (issue 7, "Performance"): a 50,000-step DAG queued in PostgreSQL, walked
# and scheduled by the queue runner, built by SIMULATED in-process builders (instant builds; then a
# timed run for the idle-slot measure), every row stored through the batch writer; then Hydra's
# design cost (5 serial round trips per step) on the same server. Uses $PG_CONN when set, else
# starts a throw-away PostgreSQL (durability off, as the tests do) and stops it at the end.
# Knobs: STEPS (50000) MACHINES (16) SLOTS (8) TIMED_STEPS (20000) TIMED_MS (20) HYDRA_STEPS (2000).
# Targets: >= 5,000 steps/s dispatched and completed; idle slot time while runnable < 1 %.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
say() { printf '%s\n' "$*" >&2; }
say "== building bench/farm/Vigil.FarmBench (Release)"
dotnet build "$root/bench/farm/Vigil.FarmBench" -c Release -m:1 --nologo -v q >&2
if [ -z "${PG_CONN:-}" ]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  PG_DIR=$(mktemp -d)
  PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DIR"
  as_pg "$PGBIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --no-sync > /dev/null
  as_pg "$PGBIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start > /dev/null
  trap 'as_pg "$PGBIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop > /dev/null; rm -rf "$PG_DIR"' EXIT
  export PG_CONN="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
  say "== throw-away PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"
fi
"$root/bench/farm/Vigil.FarmBench/bin/Release/net10.0/Vigil.FarmBench"
