#!/usr/bin/env bash
# Whole-program benchmark of `vigil drv show -r` and `vigil drv check -r` against
# `nix show-derivation -r` (Nix 2.8) over the closure of a generated nixpkgs-shaped package set
# (bench/pkgset, >= 40,000 derivations by default).
#
#   bench/drv/run.sh            # build, instantiate (or reuse), measure, print ratios
#
# Environment: PACKAGES (default 17000), SEED (1), RUNS (best of, 3), VIGIL_BENCH_DIR (where the
# generated set, its chroot store and the outputs live; default /tmp/vigil-bench-drv; reused when
# present). Exit status 0 when both outputs are byte-identical and drv check finds no mismatch,
# whatever the speed targets; the targets are reported, not enforced.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
packages="${PACKAGES:-17000}"
seed="${SEED:-1}"
runs="${RUNS:-3}"
work="${VIGIL_BENCH_DIR:-/tmp/vigil-bench-drv}"
set_dir="$work/set-$packages-$seed"
vigil="$root/src/Vigil.Cli/bin/Release/net10.0/vigil"
mkdir -p "$set_dir"
export NIX_REMOTE="local?root=$set_dir/chroot"

say() { printf '%s\n' "$*" >&2; }
calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }
holds() { awk "BEGIN { exit !($1) }"; }

say "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(nix-instantiate --version)"
say "== dotnet build src/Vigil.Cli -c Release"
dotnet build "$root/src/Vigil.Cli" -c Release -nologo -v quiet >/dev/null

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

nix_cmd=(nix --extra-experimental-features nix-command show-derivation -r "$drv_root")
best_of "nix show-derivation -r" "$work/nix.json" "${nix_cmd[@]}"
nix_wall=$best_wall
best_of "vigil drv show -r" "$work/vigil.json" "$vigil" drv show -r "$drv_root"
show_wall=$best_wall
best_of "vigil drv check -r" "$work/check.txt" "$vigil" drv check -r "$drv_root"
check_wall=$best_wall

status=0
if cmp -s "$work/nix.json" "$work/vigil.json"; then
  identical="byte-identical ($(stat -c %s "$work/vigil.json") bytes)"
else
  identical="DIFFERENT"
  status=1
fi
check_summary="$(tail -1 "$work/check.txt.err")"
case "$check_summary" in
  *": 0 with mismatches"*) ;;
  *) status=1 ;;
esac

speedup=$(calc "$nix_wall / $show_wall")
check_ratio=$(calc "$check_wall / $show_wall")
target() { if holds "$1"; then echo met; else echo MISSED; fi; }
echo "show output vs nix:          $identical"
echo "drv check:                   $check_summary"
echo "nix / vigil drv show:        ${speedup}x  (target >= 4x: $(target "$speedup >= 4"))"
echo "vigil drv check / drv show:  ${check_ratio}x  (target < 2x: $(target "$check_ratio < 2"))"
exit $status
