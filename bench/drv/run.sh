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
source "$root/bench/lib.sh"

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
