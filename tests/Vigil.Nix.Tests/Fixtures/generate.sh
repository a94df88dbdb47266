#!/usr/bin/env bash
# Regenerates the .drv fixtures of this directory with the real Nix (2.8) in a throw-away chroot
# store: every .drv here is exactly the bytes nix-instantiate wrote, named <hash>-<name>.drv.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
export NIX_REMOTE="local?root=$tmp/chroot"
xp=(--extra-experimental-features 'ca-derivations impure-derivations')
{
  nix-instantiate "${xp[@]}" "$here/nix-formats.nix" -A fodFlat -A fodFlatSri -A helloRec -A helloRecSha1 -A ia -A iaSri -A ia2 -A usesBoth -A saFod
  nix-instantiate "${xp[@]}" "$here/tvix.nix"
  nix-instantiate "${xp[@]}" "$here/ca.nix"
  nix-instantiate "${xp[@]}" "$here/latin1.nix"
  nix-instantiate "${xp[@]}" "$here/escapes.nix"
} 2>/dev/null | sort -u | while read -r drv; do
  cp "$tmp/chroot$drv" "$here/$(basename "$drv")"
  chmod 644 "$here/$(basename "$drv")"
  echo "$drv"
done
