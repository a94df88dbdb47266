#!/usr/bin/env bash
# NAR hashing: vigil vs nix-hash, in one run on this machine.
#  1. one large tree (>= 500 MB, a few thousand files): `nix-hash --type sha256 DIR` vs
#     `vigil hash --type sha256 DIR`, best of 3 each, page cache warm for both;
#  2. many small trees: one nix-hash process per tree (what a script would do) vs one
#     `vigil hash` call with all trees (hashed in parallel on every core);
#  3. peak RSS of each (from /usr/bin/time -v), to show memory stays bounded.
# Usage: bench/nar/run.sh [WORK_DIR]   (default /tmp/vigil-bench-nar; trees are reused when present)
# Env: SMALL_TREES (default 1000), RUNS (default 3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=${1:-/tmp/vigil-bench-nar}
small_count=${SMALL_TREES:-1000}
runs=${RUNS:-3}
# The launcher, as users run it: the native binary, built first when the sources are newer.
vigil="$repo/vigil"
mkdir -p "$work"

echo "== building vigil (./vigil: Native AOT, Release)"
"$vigil" --version >/dev/null

echo "== generating trees under $work (reused if present)"
python3 - "$work" "$small_count" <<'PY'
import os, random, sys
work, small_count = sys.argv[1], int(sys.argv[2])
rng = random.Random(20261125)
big = os.path.join(work, "big")
if not os.path.exists(big + ".complete"):
    # ~3000 files in nested directories: many small, some medium, a few large; 512+ MiB in all.
    sizes = [rng.randint(1, 64) * 1024 for _ in range(2400)]
    sizes += [rng.randint(64, 1024) * 1024 for _ in range(560)]
    sizes += [rng.randint(1, 8) * 1024 * 1024 for _ in range(36)]
    sizes += [48 * 1024 * 1024] * 4
    total = sum(sizes)
    if total < 512 * 1024 * 1024:
        sizes.append(512 * 1024 * 1024 - total)
    block = os.urandom(8 * 1024 * 1024)
    for i, size in enumerate(sizes):
        d = os.path.join(big, "d%02d" % (i % 37), "s%d" % (i % 5))
        os.makedirs(d, exist_ok=True)
        p = os.path.join(d, "f%05d.bin" % i)
        with open(p, "wb") as f:
            left, off = size, (i * 4099) % len(block)
            while left:
                n = min(left, len(block) - off)
                f.write(block[off:off + n]); left -= n; off = 0
        if i % 7 == 0:
            os.chmod(p, 0o755)
        if i % 50 == 0:
            os.symlink("f%05d.bin" % i, os.path.join(d, "l%05d" % i))
    open(big + ".complete", "w").close()
small = os.path.join(work, "small")
if not os.path.exists(small + ".complete-%d" % small_count):
    for i in range(small_count):
        t = os.path.join(small, "t%05d" % i)
        if os.path.exists(t):
            continue
        os.makedirs(os.path.join(t, "lib"))
        for j in range(4):
            with open(os.path.join(t, "lib", "m%d.txt" % j), "wb") as f:
                f.write(os.urandom(rng.randint(100, 8000)))
        with open(os.path.join(t, "run"), "wb") as f:
            f.write(b"#!/bin/sh\necho %d\n" % i)
        os.chmod(os.path.join(t, "run"), 0o755)
        os.symlink("lib/m0.txt", os.path.join(t, "link"))
    open(small + ".complete-%d" % small_count, "w").close()
PY
big_bytes=$(du -sb --apparent-size "$work/big" | cut -f1)
big_files=$(find "$work/big" -type f | wc -l)
mapfile -t small_paths < <(find "$work/small" -mindepth 1 -maxdepth 1 -type d | sort | head -n "$small_count")

# measure LABEL CMD...: one run; appends "wall_seconds peak_rss_kib cpu_percent" to $work/times-LABEL.txt.
measure() {
  local label=$1; shift
  /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/out-$label.txt"
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i] }
    /Maximum resident set size/ { r = $2 }
    /Percent of CPU this job got/ { c = $2; sub("%", "", c) }
    END { print s, r, c }' "$work/time.txt" >>"$work/times-$label.txt"
}
# best LABEL: the fastest run's "wall rss cpu".
best() { sort -n "$work/times-$1.txt" | head -n 1; }

rm -f "$work"/times-*.txt
echo "== warming the page cache"
find "$work/big" -type f -exec cat {} + >/dev/null
nix-hash --type sha256 "$work/big" >/dev/null
"$vigil" hash --type sha256 "$work/big" >/dev/null

echo "== large tree: $big_files files, $big_bytes bytes; $runs runs each, interleaved"
for _ in $(seq "$runs"); do
  measure nix-big nix-hash --type sha256 "$work/big"
  measure vigil-big "$vigil" hash --type sha256 "$work/big"
done
cmp -s "$work/out-nix-big.txt" "$work/out-vigil-big.txt" || { echo "MISMATCH on the large tree" >&2; exit 1; }
read -r nix_s nix_rss _ < <(best nix-big)
read -r vig_s vig_rss vig_cpu < <(best vigil-big)

echo "== ${#small_paths[@]} small trees (nix-hash once per path: one run; vigil: $runs runs)"
printf '%s\n' "${small_paths[@]}" >"$work/small-list.txt"
cat >"$work/nix-per-path.sh" <<SH
#!/usr/bin/env bash
while read -r p; do nix-hash --type sha256 "\$p"; done <"$work/small-list.txt"
SH
chmod +x "$work/nix-per-path.sh"
measure nix-small "$work/nix-per-path.sh"
for _ in $(seq "$runs"); do
  measure vigil-small "$vigil" hash --type sha256 "${small_paths[@]}"
done
cmp -s "$work/out-nix-small.txt" "$work/out-vigil-small.txt" || { echo "MISMATCH on the small trees" >&2; exit 1; }
read -r nixs_s nixs_rss _ < <(best nix-small)
read -r vigs_s vigs_rss vigs_cpu < <(best vigil-small)

echo "== one 4 GiB sparse file: peak memory while hashing it (NAR and --flat)"
[ -f "$work/sparse-4g" ] || truncate -s 4G "$work/sparse-4g"
measure nix-sparse nix-hash --type sha256 "$work/sparse-4g"
measure vigil-sparse "$vigil" hash --type sha256 "$work/sparse-4g"
measure vigil-sparse-flat "$vigil" hash --type sha256 --flat "$work/sparse-4g"
cmp -s "$work/out-nix-sparse.txt" "$work/out-vigil-sparse.txt" || { echo "MISMATCH on the sparse file" >&2; exit 1; }
read -r nixp_s nixp_rss _ < <(best nix-sparse)
read -r vigp_s vigp_rss _ < <(best vigil-sparse)
read -r vigf_s vigf_rss _ < <(best vigil-sparse-flat)

python3 - "$big_bytes" "$big_files" "$nix_s" "$nix_rss" "$vig_s" "$vig_rss" "$vig_cpu" \
  "${#small_paths[@]}" "$nixs_s" "$nixs_rss" "$vigs_s" "$vigs_rss" "$vigs_cpu" \
  "$nixp_s" "$nixp_rss" "$vigp_s" "$vigp_rss" "$vigf_s" "$vigf_rss" <<'PY'
import sys
a = sys.argv[1:]
b, files = int(a[0]), int(a[1])
ns, nr, vs, vr, vc = float(a[2]), int(a[3]), float(a[4]), int(a[5]), a[6]
n, nss, nsr, vss, vsr, vsc = int(a[7]), float(a[8]), int(a[9]), float(a[10]), int(a[11]), a[12]
nps, npr, vps, vpr, vfs, vfr = float(a[13]), int(a[14]), float(a[15]), int(a[16]), float(a[17]), int(a[18])
gib = b / 2**30
mib = lambda kib: f"{kib / 1024:.0f} MiB"
cores = open("/proc/cpuinfo").read().count("processor\t")
print(f"machine: {cores} cores, load average at the end {open('/proc/loadavg').read().split()[0]}")
print(f"large tree: {files} files, {b / 2**20:.0f} MiB (best run)")
print(f"  nix-hash --type sha256   {ns:6.2f} s  {gib / ns:5.2f} GiB/s  ({ns / gib:.2f} s/GiB)  peak RSS {mib(nr)}")
print(f"  vigil hash --type sha256 {vs:6.2f} s  {gib / vs:5.2f} GiB/s  ({vs / gib:.2f} s/GiB)  peak RSS {mib(vr)}  CPU {vc}%")
print(f"  vigil / nix-hash throughput: {ns / vs:.2f}x")
print(f"{n} small trees")
print(f"  nix-hash once per path   {nss:6.2f} s  {n / nss:7.0f} paths/s  peak RSS {mib(nsr)} (per process)")
print(f"  vigil hash, all at once  {vss:6.2f} s  {n / vss:7.0f} paths/s  peak RSS {mib(vsr)}  CPU {vsc}%")
print(f"  speed-up: {nss / vss:.1f}x")
print(f"4 GiB sparse file (memory stays bounded)")
print(f"  nix-hash (NAR)           {nps:6.2f} s  peak RSS {mib(npr)}")
print(f"  vigil hash (NAR)         {vps:6.2f} s  peak RSS {mib(vpr)}")
print(f"  vigil hash --flat        {vfs:6.2f} s  peak RSS {mib(vfr)}")
PY
