#!/usr/bin/env bash
# Runs every test of the solution and ends with one line: "N passed, N failed, N skipped".
# Extra arguments go to `dotnet test` (e.g. --filter-class 'Vigil.Nix.Tests.*').
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if ! bash scripts/install-deps.sh; then
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
# The E2E tests run vigil through ./vigil, as users do: build the native binary once up front, so
# a build failure is reported as such and its minutes are not charged to the first test.
if ! "$root/vigil" --version >/dev/null; then
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
export Logging__LogLevel__Default=Warning
res=$(mktemp -d)
trap 'rm -rf "$res"' EXIT
dotnet test --no-progress --results-directory "$res" --report-xunit-trx "$@" 2>&1 | tee "$res/out.log"
rc=${PIPESTATUS[0]}
# dotnet test's own summary counts every assembly; the TRX files are the fallback (their default
# names are per second, so two assemblies finishing together can overwrite one another's).
summary=$(awk '/^  (succeeded|failed|skipped): [0-9]+$/ { v[$1] = $2 } END { if ("succeeded:" in v) printf "%d %d %d\n", v["succeeded:"], v["failed:"], v["skipped:"] }' "$res/out.log")
if [ -n "$summary" ]; then
  read -r p f s <<< "$summary"
else
  read -r p f s < <(cat "$res"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' | awk '
    { for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2) { gsub(/"/, "", kv[2]); c[kv[1]] += kv[2] } }
    END { printf "%d %d %d\n", c["passed"], c["failed"] + c["error"] + c["timeout"] + c["aborted"], c["notExecuted"] }')
fi
# A build error, a crashed test host or a run with no tests leaves rc != 0 with nothing counted as failed.
if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
echo "$p passed, $f failed, $s skipped"
[ "$rc" -eq 0 ] && [ "$f" -eq 0 ] && [ "$p" -gt 0 ]
