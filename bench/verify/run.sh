#!/usr/bin/env bash
# Native verification throughput (issue 6, "Performance"): FODS (default 10,000) small flat
# builtin:fetchurl FODs served by a local HTTP server (nginx when installed, else
# bench/verify/server.py; keep-alive, on 127.0.0.1), scanned into a SQLite database once; then, interleaved RUNS times:
#   1. vigil verify --all --per-host 0 --concurrency CONC (download + sha256 + compare + store);
#   2. curl over the same URLs in one process, --parallel --parallel-max CONC, bodies to /dev/null;
#   3. curl in a plain shell loop, one process per URL (the first LOOP URLs, extrapolated).
# vigil is the binary itself (the ./vigil launcher adds bash and find); wall and CPU from /usr/bin/time.
# Prints FODs/s of each and vigil's overhead vs curl. Target: > 500 FODs/s on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
fods="${FODS:-10000}"
runs="${RUNS:-3}"
conc="${CONC:-16}"
loop="${LOOP:-300}"
work="${VIGIL_BENCH_DIR:-/tmp/vigil-bench-verify}/n$fods"
vigil="$root/vigil"
say() { printf '%s\n' "$*" >&2; }
calc() { awk "BEGIN { printf \"%.1f\", $1 }"; }
mkdir -p "$work"

say "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$vigil" --version >/dev/null
# nginx (apt-get install nginx-light) serves far more requests/s than this machine's Python can, so the
# measurement is of vigil, not of the server; SERVER=python forces the Python server.
mkdir -p "$work/files"
if [ "${SERVER:-nginx}" = nginx ] && command -v nginx > /dev/null; then
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx-tmp;
  proxy_temp_path $work/nginx-tmp;
  fastcgi_temp_path $work/nginx-tmp;
  uwsgi_temp_path $work/nginx-tmp;
  scgi_temp_path $work/nginx-tmp;
  server { listen 127.0.0.1:$port; root $work/files; }
}
CONF
  mkdir -p "$work/nginx-tmp"
  nginx -c "$work/nginx.conf" -p "$work" &
  server=$!
  server_name="nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), 1 worker"
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
else
  python3 "$root/bench/verify/server.py" "$work/files" > "$work/port" &
  server=$!
  server_name="Python ThreadingHTTPServer"
  for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
  port=$(head -1 "$work/port")
fi
trap 'kill $server 2>/dev/null' EXIT
say "== server: $server_name on port $port"
base="http://127.0.0.1:$port"

# The URLs name the port, so the expression and the scan are redone whenever the server's port changes.
say "== generating $fods FODs, scanning them (server on port $port)"
python3 "$root/bench/verify/generate.py" "$fods" "$work/files" "$base" "$work/set.nix"
rm -rf "$work/db.sqlite"* "$work/chroot"
"$vigil" scan "$work/set.nix" --store "local?root=$work/chroot" --db "$work/db.sqlite" --revision bench > /dev/null
seq 0 $((fods - 1)) | awk -v b="$base" '{ printf "url = \"%s/f%d.txt\"\noutput = \"/dev/null\"\n", b, $1 }' > "$work/curl.cfg"

# timed VAR COMMAND...: runs COMMAND, sets VAR to its wall seconds and VAR_cpu to its user+sys CPU seconds.
timed() {
  local var="$1"
  shift
  /usr/bin/time -f "%e %U %S" -o "$work/time" "$@" > /dev/null 2>&1 || true
  read -r wall user sys < <(tail -1 "$work/time")
  printf -v "$var" '%s' "$wall"
  printf -v "${var}_cpu" '%s' "$(calc "$user + $sys")"
}
for run in $(seq "$runs"); do
  timed t_vigil "$root/.vigil-build/linux-x64/vigil" verify --all --per-host 0 --concurrency "$conc" --db "$work/db.sqlite" --json
  timed t_curl curl -s --parallel --parallel-max "$conc" -K "$work/curl.cfg"
  s=$(date +%s.%N)
  for i in $(seq 0 $((loop - 1))); do curl -s -o /dev/null "$base/f$i.txt"; done
  e=$(date +%s.%N)
  t_loop=$(calc "($e - $s) * $fods / $loop")
  echo "run $run (load $(cut -d' ' -f1 /proc/loadavg)): vigil verify $t_vigil s = $(calc "$fods / $t_vigil") FODs/s, $t_vigil_cpu s CPU;" \
    "curl --parallel $t_curl s = $(calc "$fods / $t_curl") URLs/s, $t_curl_cpu s CPU (vigil/curl time $(calc "$t_vigil / $t_curl")x);" \
    "curl loop $t_loop s (extrapolated from $loop) = $(calc "$fods / $t_loop") URLs/s"
done
# The run's own check: every FOD verified ok.
"$vigil" verify --all --per-host 0 --concurrency "$conc" --db "$work/db.sqlite" --json | grep -c '"status": "ok"' | xargs -I{} echo "ok results in a last run: {} of $fods"
