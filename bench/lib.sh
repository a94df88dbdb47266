#!/usr/bin/env bash
# Shared by the whole-program benchmarks (bench/drv, bench/scan): settings, timing helpers, and the
# generated nixpkgs-shaped package set, instantiated into a chroot store once and reused.
# Expects $root (the repository) to be set by the sourcing script.
packages="${PACKAGES:-17000}"
seed="${SEED:-1}"
runs="${RUNS:-3}"
work="${VIGIL_BENCH_DIR:-/tmp/vigil-bench-drv}"
set_dir="$work/set-$packages-$seed"
# The launcher builds the native binary when the sources are newer; the benchmarks then run that
# binary itself, as an installed vigil runs, so that the launcher's staleness check (a `find` over
# src/, 15-25 ms) is not timed.
vigil="$root/vigil"
mkdir -p "$set_dir"
export NIX_REMOTE="local?root=$set_dir/chroot"

say() { printf '%s\n' "$*" >&2; }
calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }
holds() { awk "BEGIN { exit !($1) }"; }

say "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(nix-instantiate --version)"
say "== building vigil (./vigil: Native AOT, Release)"
"$vigil" --version >/dev/null
vigil=$(ls -t "$root"/.vigil-build/*/vigil | head -1)

if [ ! -s "$set_dir/root" ]; then
  say "== generating $packages packages (seed $seed)"
  python3 "$root/bench/pkgset/generate.py" --packages "$packages" --seed "$seed" --aggregate all -o "$set_dir/pkgset.nix"
  say "== nix-instantiate -A all into $set_dir/chroot"
  start=$(date +%s.%N)
  nix-instantiate "$set_dir/pkgset.nix" -A all > "$set_dir/root.tmp" 2> "$set_dir/instantiate.log"
  end=$(date +%s.%N)
  calc "$end - $start" > "$set_dir/instantiate-seconds"
  mv "$set_dir/root.tmp" "$set_dir/root"
else
  say "== reusing $set_dir (instantiated in $(cat "$set_dir/instantiate-seconds") s)"
fi
drv_root="$(cat "$set_dir/root")"
drvs=$(find "$set_dir/chroot/nix/store" -maxdepth 1 -name '*.drv' | wc -l)
closure=$(nix-store -qR "$drv_root" | grep -c '\.drv$')
fods=$(find "$set_dir/chroot/nix/store" -maxdepth 1 -name '*.drv' -print0 \
  | xargs -0 grep -l -E '^Derive\(\[\("out","[^"]*","[^"]+","[^"]+"\)\]' | wc -l)
say "== $closure derivations in the closure of $drv_root ($drvs in the store, $fods fixed-output)"

# best_of NAME OUTFILE COMMAND...: runs COMMAND $runs times (stdout to OUTFILE) and records the
# best wall time and that run's user+sys CPU time (from bash's `times`) in $best_wall/$best_cpu.
# CPU seconds (user + sys) of finished children, from the output of bash's `times` (which must
# run in this shell, not in a subshell, to see them).
children_cpu() { awk 'NR == 2 { gsub(/[ms]/, " "); print $1 * 60 + $2 + $3 * 60 + $4 }' "$1"; }
best_of() {
  local name="$1" out="$2"
  shift 2
  best_wall=""
  best_cpu=""
  for _ in $(seq "$runs"); do
    local c0 w0 w1 c1 wall cpu
    # $bench_setup (a command, optional) prepares each run outside the timing.
    if [ -n "${bench_setup:-}" ]; then $bench_setup; fi
    times > "$work/.times0"
    w0=$(date +%s.%N)
    "$@" > "$out" 2> "$out.err"
    w1=$(date +%s.%N)
    times > "$work/.times1"
    c0=$(children_cpu "$work/.times0")
    c1=$(children_cpu "$work/.times1")
    wall=$(calc "$w1 - $w0")
    cpu=$(calc "$c1 - $c0")
    if [ -z "$best_wall" ] || holds "$wall < $best_wall"; then
      best_wall=$wall
      best_cpu=$cpu
    fi
  done
  printf '%-28s best of %s: %7.2f s wall  (%6.2f s CPU)\n' "$name" "$runs" "$best_wall" "$best_cpu"
}


# changed_root: the drv root of the same set with 1% of the packages bumped (every 100th
# `version = "…"` gets ".1" appended), instantiated into the same chroot once and reused.
changed_root() {
  if [ ! -s "$set_dir/changed-root" ]; then
    say "== changing 1% of the packages and instantiating the new revision"
    python3 - "$set_dir/pkgset.nix" "$set_dir/changed.nix" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
count = 0
def bump(m):
    global count
    count += 1
    return m.group(0) if count % 100 else f'{m.group(1)}{m.group(2)}.1"'
open(sys.argv[2], "w").write(re.sub(r'(version = ")([^"]*)"', bump, text))
PY
    nix-instantiate "$set_dir/changed.nix" -A all > "$set_dir/changed-root.tmp" 2>/dev/null
    mv "$set_dir/changed-root.tmp" "$set_dir/changed-root"
  fi
  cat "$set_dir/changed-root"
}
