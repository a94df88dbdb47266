#!/usr/bin/env bash
# Whole-program benchmark of `vigil scan` (issue: FOD scanner) on the generated nixpkgs-shaped set
# of bench/pkgset (>= 40,000 derivations, ~55% FODs), against Nix itself, in one run:
#   1. full scan of the instantiated closure into a fresh SQLite DB, process start to exit,
#      vs `nix show-derivation -r` over the same root (which stores nothing);      target >= 4x
#   2. incremental rescan after 1% of the packages changed (new drvs instantiated), vs 1.;
#      and the floor under any rescan on this machine (process start, the bytes of the changed
#      drvs, one durable commit), which bounds the ratio reachable here;          target >= 20x
#   3. the combined fast path on a fresh store vs `nix-instantiate` of the same set plus a full
#      walk (`vigil scan ROOT.drv`), with --jobs 1 and 2: `vigil scan FILE --backend combined`
#      (instantiates what is new, here everything, and walks) and with `--write-drvs needed`
#      (records from the read-only walk; instantiates only what it cannot enter); aim >= 3x
#   4. peak memory (max RSS) of the full scan;                                      aim < 300 MB
# Environment as bench/lib.sh (PACKAGES, SEED, RUNS, VIGIL_BENCH_DIR). Step 3 instantiates the set
# from scratch several times and takes about 10 minutes; each of its commands, Nix's included, is
# timed FRESH_RUNS times (default 3) and the best run counts. SKIP_FRESH=1 leaves it out.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$root/bench/lib.sh"

# VIGIL_SCAN_DIR: where the databases and outputs go (default: under the shared set directory).
scan_dir="${VIGIL_SCAN_DIR:-$work/scan}"
rm -rf "$scan_dir"
mkdir -p "$scan_dir"
# Peak RSS in MB of one command (a program, not a shell function: /usr/bin/time runs it directly).
rss() { /usr/bin/time -f '%M' -o "$scan_dir/rss" "$@" >/dev/null 2>&1; echo $(( $(tail -1 "$scan_dir/rss") / 1024 )); }

best_of "nix show-derivation -r" "$scan_dir/nix.json" nix --extra-experimental-features nix-command show-derivation -r "$drv_root"
nix_wall=$best_wall

remove_full_db() { rm -f "$scan_dir/full.db"*; }
full_scan() { "$vigil" scan "$drv_root" --revision full --db "$scan_dir/full.db"; }
bench_setup=remove_full_db
best_of "vigil scan (full, SQLite)" "$scan_dir/full.txt" full_scan
bench_setup=
full_wall=$best_wall
cat "$scan_dir/full.txt"
rm -f "$scan_dir/full.db"*
full_rss=$(rss "$vigil" scan "$drv_root" --revision full --db "$scan_dir/full.db")

changed_root=$(changed_root)
# A fresh copy of the full scan's database for each run, made (and flushed: its dirty pages are the
# setup's, not the scan's first fsync's) outside the timing.
copy_full_db() {
  rm -f "$scan_dir/inc.db"*
  cp "$scan_dir/full.db" "$scan_dir/inc.db"
  sync "$scan_dir/inc.db"
}
incremental_scan() { "$vigil" scan "$changed_root" --revision changed --db "$scan_dir/inc.db"; }
bench_setup=copy_full_db
best_of "vigil scan (1% changed)" "$scan_dir/inc.txt" incremental_scan
bench_setup=
inc_wall=$best_wall
cat "$scan_dir/inc.txt"

# What no rescan can go under on this machine, whatever its design: starting a native process,
# reading the derivation files the change added (their bytes, on every core, without parsing), and
# one durable SQLite commit with its checkpoint at close (two fsyncs, however little was written).
floor_start() { "$vigil" --version; }
best_of "  floor: process start" "$scan_dir/floor.txt" floor_start
floor_start_wall=$best_wall
comm -23 <(nix-store -qR "$changed_root" | grep '\.drv$' | sort) <(nix-store -qR "$drv_root" | grep '\.drv$' | sort) \
  | sed "s|^|$set_dir/chroot|" > "$scan_dir/changed-drvs"
changed_drvs=$(wc -l < "$scan_dir/changed-drvs")
floor_read() { xargs -P "$(nproc)" -n $(( changed_drvs / $(nproc) + 1 )) cat < "$scan_dir/changed-drvs"; }
best_of "  floor: read $changed_drvs changed drvs" "$scan_dir/floor.txt" floor_read
floor_read_wall=$best_wall
# Timed inside Python, so that its start is not counted: a lower bound, as the others.
floor_commit() {
  python3 - "$scan_dir/inc.db" <<'PY'
import sqlite3, sys, time
start = time.perf_counter()
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA synchronous=NORMAL")
db.execute("BEGIN")
db.execute("CREATE TABLE IF NOT EXISTS bench_floor (x INTEGER)")
db.execute("INSERT INTO bench_floor VALUES (1)")
db.execute("COMMIT")
db.close()
print(f"{time.perf_counter() - start:.4f}")
PY
}
floor_commit_wall=$(for _ in $(seq "$runs"); do copy_full_db; floor_commit; done | sort -n | head -1)
printf '%-28s best of %s: %7.2f s wall\n' "  floor: one durable commit" "$runs" "$floor_commit_wall"
floor_wall=$(calc "$floor_start_wall + $floor_read_wall + $floor_commit_wall")

target() { if holds "$1"; then echo met; else echo MISSED; fi; }
echo "full scan peak RSS:                 ${full_rss} MB (aim < 300 MB: $(target "$full_rss < 300"))"
echo "nix show-derivation -r / full scan: $(calc "$nix_wall / $full_wall")x (target >= 4x: $(target "$nix_wall / $full_wall >= 4"))"
echo "full scan / incremental rescan:     $(calc "$full_wall / $inc_wall")x (target >= 20x: $(target "$full_wall / $inc_wall >= 20"))"
echo "  … at most, on this machine:        $(calc "$full_wall / $floor_wall")x (full scan / floor: process start + reading the $changed_drvs changed drvs + one durable commit = ${floor_wall} s)"

if [ "${SKIP_FRESH:-0}" != 1 ]; then
  # An empty store and no database before each run, made outside the timing (removing the last
  # run's 41k-drv store takes seconds).
  fresh() { rm -rf "$scan_dir/fresh" "$scan_dir/fresh.db"*; mkdir -p "$scan_dir/fresh"; sync; }
  bench_setup=fresh
  runs_saved=$runs; runs=${FRESH_RUNS:-3}
  reference() {
    NIX_REMOTE="local?root=$scan_dir/fresh" nix-instantiate "$set_dir/pkgset.nix" -A all > "$scan_dir/fresh-root" 2>/dev/null
    NIX_REMOTE="local?root=$scan_dir/fresh" "$vigil" scan "$(cat "$scan_dir/fresh-root")" --revision ref --db "$scan_dir/fresh.db"
  }
  combined() {
    NIX_REMOTE="local?root=$scan_dir/fresh" "$vigil" scan "$set_dir/pkgset.nix" --backend combined --jobs "$@" --revision fast --db "$scan_dir/fresh.db"
  }
  best_of "nix-instantiate + full walk" "$scan_dir/ref.txt" reference
  ref_wall=$best_wall
  best_of "vigil scan --backend combined" "$scan_dir/comb1.txt" combined 1
  comb1=$best_wall
  best_of "  … with --jobs 2" "$scan_dir/comb2.txt" combined 2
  comb2=$best_wall
  best_of "vigil scan … --write-drvs needed" "$scan_dir/need1.txt" combined 1 --write-drvs needed
  need1=$best_wall
  best_of "  … with --jobs 2" "$scan_dir/need2.txt" combined 2 --write-drvs needed
  need2=$best_wall
  runs=$runs_saved
  bench_setup=
  echo "combined fast path (fresh store):   $(calc "$ref_wall / $comb1")x, with --jobs 2: $(calc "$ref_wall / $comb2")x (aim >= 3x)"
  echo "  … with --write-drvs needed:       $(calc "$ref_wall / $need1")x, with --jobs 2: $(calc "$ref_wall / $need2")x (aim >= 3x)"
fi
