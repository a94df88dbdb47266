#!/usr/bin/env bash
# Whole-program benchmark of `vigil vuln` (issue 8): a generated package set of PACKAGES packages
# (default 100,000; stored as a scanned revision, a derivation and a source FOD each) against a
# generated feed of RECORDS records (default 250,000: 40% CVE 5 files in the cvelistV5 layout, 40%
# NVD 2.0 items in pages of 2,000, 20% OSV files; 70% name a package of the set):
#   1. `vigil vuln import` of the whole feed into a fresh SQLite DB: wall time and records/s;
#   2. the same import again (everything unchanged): the incremental path;
#   3. `vigil vuln scan --format json`, process start to exit: loading records and inventory,
#      indexing, matching (target: < 10 s on 2 cores), best of RUNS;
#   4. a naive pairwise matcher (every package against every affected product), measured on
#      SAMPLE packages and extrapolated to the whole set, for contrast.
# There is no Nix reference for this one. Environment: PACKAGES, RECORDS, RUNS (3), SAMPLE (200),
# VIGIL_BENCH_DIR (default /dev/shm/vigil-bench-vuln when there is a tmpfs, the data stays there
# for reruns; delete it to regenerate).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
packages="${PACKAGES:-100000}"
records="${RECORDS:-250000}"
runs="${RUNS:-3}"
sample="${SAMPLE:-200}"
default_dir=/tmp/vigil-bench-vuln
[ -d /dev/shm ] && default_dir=/dev/shm/vigil-bench-vuln
work="${VIGIL_BENCH_DIR:-$default_dir}/set-$packages-$records"
vigil="$root/vigil"
say() { printf '%s\n' "$*" >&2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

say "== machine: $(nproc) cores, load average $(load)"
say "== building vigil (./vigil: Native AOT, Release) and the generator"
"$vigil" --version >/dev/null
dotnet build "$root/bench/Vigil.Bench" -c Release -m:1 -v q -nologo >/dev/null
bench="$root/bench/Vigil.Bench/bin/Release/net10.0/Vigil.Bench.dll"

mkdir -p "$work"
if [ ! -s "$work/set.db" ] || [ ! -d "$work/feeds" ]; then
  rm -rf "$work/feeds" "$work/set.db"*
  say "== generating $packages packages and $records records in $work"
  dotnet "$bench" vuln-gen --dir "$work/feeds" --packages "$packages" --records "$records" --db "$work/set.db"
fi

db="$work/run.db"
rm -f "$db"*
cp "$work/set.db" "$db"
say "== 1. import (fresh), load average $(load)"
/usr/bin/time -f '%e s wall, %U s user, %S s sys, %M KB max RSS' -o "$work/import.time" \
  "$vigil" vuln import "$work/feeds" --db "$db" --json > "$work/import.json"
say "   $(tr -d '\n ' < "$work/import.json")"
say "   $(cat "$work/import.time")"
say "== 2. import again (unchanged), load average $(load)"
/usr/bin/time -f '%e s wall, %U s user, %S s sys, %M KB max RSS' -o "$work/reimport.time" \
  "$vigil" vuln import "$work/feeds" --db "$db" --json > "$work/reimport.json"
say "   $(tr -d '\n ' < "$work/reimport.json")"
say "   $(cat "$work/reimport.time")"

say "== 3. scan --format json, best of $runs, load average $(load)"
best=""
for i in $(seq "$runs"); do
  /usr/bin/time -f '%e %U %S %M' -o "$work/scan.time" "$vigil" vuln scan --revision bench --db "$db" --format json > "$work/scan.json" || [ $? -eq 1 ]
  read -r wall user sys rss < <(tail -1 "$work/scan.time")
  say "   run $i: $wall s wall, $user s user, $sys s sys, $((rss / 1024)) MB max RSS (load $(load))"
  if [ -z "$best" ] || awk "BEGIN { exit !($wall < $best) }"; then best=$wall; fi
done
findings=$(grep -c '"cve":' "$work/scan.json" || true)
say "   best $best s; $findings findings"
awk "BEGIN { exit !($best < 10) }" && say "   target < 10 s: met" || say "   target < 10 s: MISSED"

say "== 4. naive pairwise matcher on $sample packages, load average $(load)"
dotnet "$bench" vuln-pairwise --db "$db" --sample "$sample" | tee "$work/pairwise.json" >&2
say "== done, load average $(load)"
