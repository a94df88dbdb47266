#!/usr/bin/env bash
# Whole-program benchmark of `vigil check-pr` (issue: diff and poisoning detection) on the
# generated nixpkgs-shaped set of bench/pkgset (>= 40,000 derivations) with 1% of the packages
# bumped, both revisions instantiated, in one run:
#   1. check-pr end to end on an empty database (scans base and head, diffs, detects);  target < 5 s
#   2. check-pr when the database already holds the base (a CI cache of the main branch's scan);
#   3. a full scan of the base alone, and the ratios of 1. and 2. to it.
# Environment as bench/lib.sh (PACKAGES, SEED, RUNS, VIGIL_BENCH_DIR).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$root/bench/lib.sh"

dir="$work/checkpr"
rm -rf "$dir"
mkdir -p "$dir"
head_root=$(changed_root)

full_scan() { rm -f "$dir/full.db"*; "$vigil" scan "$drv_root" --revision base --db "$dir/full.db"; }
best_of "vigil scan (base, full)" "$dir/full.txt" full_scan
full_wall=$best_wall

check_cold() { rm -f "$dir/cold.db"*; "$vigil" check-pr --base "$drv_root" --head "$head_root" --db "$dir/cold.db" --fail-on never; }
best_of "vigil check-pr (empty DB)" "$dir/cold.txt" check_cold
cold_wall=$best_wall
head -1 "$dir/cold.txt"
tail -1 "$dir/cold.txt"

rm -f "$dir/warm.db"*
"$vigil" scan "$drv_root" --revision pr-base --db "$dir/warm.db" > /dev/null
cp "$dir/warm.db" "$dir/warm-template.db"
check_warm() {
  cp "$dir/warm-template.db" "$dir/warm.db"
  "$vigil" check-pr --base pr-base --head "$head_root" --db "$dir/warm.db" --fail-on never
}
best_of "vigil check-pr (base stored)" "$dir/warm.txt" check_warm
warm_wall=$best_wall

target() { if holds "$1"; then echo met; else echo MISSED; fi; }
echo "check-pr, empty DB:            ${cold_wall} s (target < 5 s: $(target "$cold_wall < 5")); $(calc "$cold_wall / $full_wall")x the full scan of the base"
echo "check-pr, base already stored: ${warm_wall} s (target < 5 s: $(target "$warm_wall < 5")); $(calc "$warm_wall / $full_wall")x the full scan of the base"
