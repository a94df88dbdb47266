# The derivations of docs/nix-formats.md §1.6, §3.4 and §4.5. Instantiated with Nix 2.8 into a chroot
# store; the .drv files next to this one are the bytes it wrote (see NixFixtureOracleTests).
rec {
  sh = attrs: derivation ({ system = "x86_64-linux"; builder = "/bin/sh"; } // attrs);

  fodFlat = sh {
    name = "hello.txt";
    args = [ "-c" "printf hello > $out" ];
    outputHashMode = "flat";
    outputHashAlgo = "sha256";
    outputHash = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
  };

  # Same name and hash as fodFlat, another recipe, hash spelt SRI, no outputHashMode.
  fodFlatSri = sh {
    name = "hello.txt";
    args = [ "-c" "echo -n hello > $out" ];
    outputHash = "sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=";
  };

  helloRec = sh {
    name = "hello-rec";
    args = [ "-c" "printf hello > $out" ];
    outputHashMode = "recursive";
    outputHashAlgo = "sha256";
    outputHash = "sha256:0sg9f58l1jj88w6pdrfdpj5x9b1zrwszk84j81zvby36q9whhhqa";
  };

  helloRecSha1 = sh {
    name = "hello-rec-sha1";
    args = [ "-c" "printf hello > $out" ];
    outputHashMode = "recursive";
    outputHashAlgo = "sha1";
    outputHash = "5144612b23081da49ab008bd0b73960b6a2b7fe9";
  };

  iaOn = fod: sh {
    name = "ia-demo";
    outputs = [ "out" "dev" ];
    args = [ "-c" "cat ${fod} > $out; echo dev > $dev" ];
    weird = "quote\" backslash\\ nl\n cr\r tab\t dollar$ end";
  };
  ia = iaOn fodFlat;
  iaSri = iaOn fodFlatSri;

  ia2 = sh { name = "ia2"; args = [ "-c" "cat ${ia.dev}/x > $out" ]; };

  # Two input FODs with one modulo hash: Nix merges them into one inputDrvs entry when hashing.
  usesBoth = sh { name = "uses-both"; args = [ "-c" "cat ${fodFlat} ${fodFlatSri} > $out" ]; };

  # §3.7: structured attrs; URLs and hash live inside __json.
  saFod = derivation {
    name = "sa-fod";
    builder = ":";
    system = ":";
    __structuredAttrs = true;
    b = true;
    n = 1;
    nul = null;
    outputHash = "sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=";
    urls = [ "https://a.example/x" "mirror://gnu/hello/hello-2.12.tar.gz" ];
  };
}
