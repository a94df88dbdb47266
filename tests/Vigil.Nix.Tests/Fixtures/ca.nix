# Floating content-addressed, deferred and impure outputs (docs/nix-formats.md §3.4); needs
# --extra-experimental-features 'ca-derivations impure-derivations'.
rec {
  caA = derivation {
    name = "ca-a";
    system = "x86_64-linux";
    builder = "/bin/sh";
    args = [ "-c" "printf hello > $out" ];
    __contentAddressed = true;
    outputHashMode = "recursive";
    outputHashAlgo = "sha256";
  };
  deferredIa = derivation { name = "deferred-ia"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "cat ${caA} > $out" ]; };
  impureX = derivation { name = "impure-x"; system = "x86_64-linux"; builder = "/bin/sh"; __impure = true; };
}
