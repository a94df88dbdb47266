# The TVIX-shaped derivations of docs/nix-formats.md §4.5 (builder and system ":").
rec {
  bar = derivation {
    name = "bar";
    builder = ":";
    system = ":";
    outputHash = "08813cbee9903c62be4c5027726a418a300da4500b2d369d3af9286f4815ceba";
    outputHashAlgo = "sha256";
    outputHashMode = "recursive";
  };
  foo = derivation { name = "foo"; builder = ":"; system = ":"; inherit bar; };
  hasMultiOut = derivation { name = "has-multi-out"; builder = ":"; system = ":"; outputs = [ "out" "lib" ]; };
  unicode = derivation {
    name = "unicode";
    builder = ":";
    system = ":";
    letters = ''
      räksmörgås
      rødgrød med fløde
      Lübeck
      肥猪
      こんにちは / 今日は
      🌮
    '';
  };
  structuredAttrs = derivation { name = "structured-attrs"; builder = ":"; system = ":"; __structuredAttrs = true; };
  nestedJson = derivation { name = "nested-json"; builder = ":"; system = ":"; json = builtins.toJSON { hello = "moto\n"; }; };
}
