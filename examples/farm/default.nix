# A small jobset that really builds, with no network and no nixpkgs: /bin/sh derivations in a
# dependency chain, a diamond, one that fails and one that runs into its timeout. For
# `vigil farm up` / `vigil eval` (README, docs/farm.md).
let
  mk = name: script: extra: derivation ({
    inherit name;
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" script ];
    PATH = "/usr/bin:/bin";
  } // extra);
  base = mk "demo-base" "echo building base; echo base > $out" { };
  left = mk "demo-left" "echo building left; cat ${base} > $out; echo left >> $out" { };
  right = mk "demo-right" "echo building right; cat ${base} > $out; echo right >> $out" { };
in
{
  inherit base;
  app = mk "demo-app" "echo building app; cat ${left} ${right} > $out" { };
  broken = mk "demo-broken" "echo about to fail; exit 3" { };
  # Its own limit: the farm stops it after 2 seconds (Hydra's status 7, timed out).
  slow = mk "demo-slow" "echo sleeping; /bin/sleep 30; echo done > $out" { timeout = "2"; };
}
