#!/usr/bin/env bash
# The main job on the embedded default: instantiate the bundled example package set with Nix
# into a throw-away store, then let vigil re-derive every .drv and output path of its closure
# (`vigil drv check -r`), show one derivation (`vigil drv show`), then scan the set for its FODs
# into SQLite (`vigil scan`, `vigil fods`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/install-deps.sh"
work="${VIGIL_DEMO_DIR:-$root/.vigil-demo}"
mkdir -p "$work"
export NIX_REMOTE="local?root=$work/store"
echo "== instantiating examples/pkgset with $(nix-instantiate --version) into $work/store" >&2
mapfile -t drvs < <(nix-instantiate "$root/examples/pkgset/default.nix" 2>/dev/null)
echo "== ${#drvs[@]} top-level derivations" >&2
echo "== vigil drv check -r (every derivation in the closure)" >&2
"$root/vigil" drv check -r "${drvs[@]}"
echo "== vigil drv show ${drvs[0]}" >&2
"$root/vigil" drv show "${drvs[0]}"
echo "== vigil scan: every FOD of the set, stored in $work/vigil.db (SQLite)" >&2
"$root/vigil" scan "$root/examples/pkgset/default.nix" --revision example --db "$work/vigil.db"
echo "== vigil fods (the first rows)" >&2
"$root/vigil" fods --revision example --db "$work/vigil.db" | head -n 12
