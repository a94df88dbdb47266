#!/usr/bin/env bash
# NAR hashing: vigil vs nix-hash, in one run on this machine.
#  1. one large tree (>= 500 MB, a few thousand files): `nix-hash --type sha256 DIR` vs
#     `vigil hash --type sha256 DIR`, best of 3 each, page cache warm for both;
#  2. many small trees: one nix-hash process per tree (what a script would do) vs one
#     `vigil hash` call with all trees (hashed in parallel on every core);
#  3. peak RSS of each (from /usr/bin/time -v), to show memory stays bounded.
# Usage: bench/nar/run.sh [WORK_DIR]   (default /tmp/vigil-bench-nar; trees are reused when present)
# Env: SMALL_TREES (default 1500), RUNS (default 3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=${1:-/tmp/vigil-bench-nar}
small_count=${SMALL_TREES:-1500}
runs=${RUNS:-3}
out="$repo/bench/out/nar"
vigil="$out/vigil"
mkdir -p "$work"

echo "== building vigil (Release)"
dotnet build "$repo/src/Vigil.Cli/Vigil.Cli.csproj" -c Release -o "$out" --nologo -v quiet -clp:NoSummary >/dev/null

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

# time_cmd LABEL CMD...: best wall seconds of $runs runs and the peak RSS (KiB) of the best run.
time_cmd() {
  local label=$1; shift
  local best="" rss=""
  for _ in $(seq "$runs"); do
    /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/out-$label.txt"
    local wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$work/time.txt")
    local r=$(awk -F': ' '/Maximum resident set size/{print $2}' "$work/time.txt")
    if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$wall; rss=$r; fi
  done
  echo "$best $rss"
}

echo "== warming the page cache"
cat $(find "$work/big" -type f) >/dev/null
nix-hash --type sha256 "$work/big" >/dev/null

echo "== large tree: $big_files files, $big_bytes bytes"
read -r nix_s nix_rss < <(time_cmd nix-big nix-hash --type sha256 "$work/big")
read -r vig_s vig_rss < <(time_cmd vigil-big "$vigil" hash --type sha256 "$work/big")
cmp -s "$work/out-nix-big.txt" "$work/out-vigil-big.txt" || { echo "MISMATCH on the large tree" >&2; exit 1; }

echo "== ${#small_paths[@]} small trees"
printf '%s\n' "${small_paths[@]}" >"$work/small-list.txt"
cat >"$work/nix-per-path.sh" <<SH
#!/usr/bin/env bash
while read -r p; do nix-hash --type sha256 "\$p"; done <"$work/small-list.txt"
SH
chmod +x "$work/nix-per-path.sh"
read -r nixs_s nixs_rss < <(time_cmd nix-small "$work/nix-per-path.sh")
read -r vigs_s vigs_rss < <(time_cmd vigil-small "$vigil" hash --type sha256 "${small_paths[@]}")
cmp -s "$work/out-nix-small.txt" "$work/out-vigil-small.txt" || { echo "MISMATCH on the small trees" >&2; exit 1; }

python3 - "$big_bytes" "$nix_s" "$vig_s" "$nix_rss" "$vig_rss" "${#small_paths[@]}" "$nixs_s" "$vigs_s" "$nixs_rss" "$vigs_rss" "$big_files" <<'PY'
import sys
b, ns, vs, nr, vr, n, nss, vss, nsr, vsr, files = sys.argv[1:]
b = int(b); ns, vs, nss, vss = map(float, (ns, vs, nss, vss)); n = int(n)
gib = b / 2**30
print(f"machine: {open('/proc/cpuinfo').read().count('processor')} cores; load average {open('/proc/loadavg').read().split()[0]}")
print(f"large tree ({files} files, {b/2**20:.0f} MiB), best of runs:")
print(f"  nix-hash --type sha256 : {ns:6.2f} s  {gib/ns:5.2f} GiB/s  ({ns/gib:.2f} s/GiB)  peak RSS {int(nr)/1024:.0f} MiB")
print(f"  vigil hash --type sha256: {vs:6.2f} s  {gib/vs:5.2f} GiB/s  ({vs/gib:.2f} s/GiB)  peak RSS {int(vr)/1024:.0f} MiB")
print(f"  vigil throughput / nix-hash throughput = {ns/vs:.2f}x")
print(f"{n} small trees, best of runs:")
print(f"  one nix-hash per path   : {nss:6.2f} s  {n/nss:7.0f} paths/s  peak RSS {int(nsr)/1024:.0f} MiB (one process)")
print(f"  one vigil hash, all paths: {vss:6.2f} s  {n/vss:7.0f} paths/s  peak RSS {int(vsr)/1024:.0f} MiB")
print(f"  speed-up = {nss/vss:.1f}x")
PY
