#!/usr/bin/env bash
# Installs, idempotently, what Vigil's demo and tests need on a Debian machine with the .NET SDK:
# Nix (Debian's nix-bin, used single-user with throw-away chroot stores), PostgreSQL's binaries (the
# Vigil.Data tests start a throw-away server themselves; nothing is started here), a C toolchain to
# link the natively compiled vigil binary (Native AOT runs clang, or gcc when there is no clang,
# plus objcopy) and the NuGet packages (the AOT compiler among them).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
need=()
command -v nix-instantiate >/dev/null || need+=(nix-bin)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
if ! command -v clang >/dev/null && ! command -v gcc >/dev/null; then need+=(clang); fi
command -v objcopy >/dev/null || command -v llvm-objcopy >/dev/null || need+=(binutils)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing Debian packages: ${need[*]}; run as root or: sudo apt-get install -y ${need[*]}" >&2
    exit 2
  fi
  echo "install-deps: apt-get install ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v dotnet >/dev/null || { echo "install-deps: the .NET 10 SDK (dotnet) is not on PATH" >&2; exit 2; }
dotnet restore "$root/Vigil.slnx" -nologo -v q >/dev/null
