# Vigil's evaluation walker (embedded resource of Vigil.Store, run by NixWalker).
#
# Called as `nix-instantiate --eval --strict --json walker.nix --argstr spec SPEC.json`; the spec
# (JSON, so no Nix quoting and no argv length limit) says what to do:
#   file      the target expression (a .nix file or a directory with default.nix)
#   args      its --argstr values (passed the way nix-instantiate's auto-call would)
#   attrPath  the target's attribute path (list of names; list indices as decimal strings)
#   mode      "names"        kind and child names of the single path in `paths`
#             "instantiate"  per root attribute its drvPath (run with --read-write-mode: Nix writes the .drv files)
#             "walk"         "instantiate" plus every derivation reachable through attribute values,
#                            keyed by drvPath, with the FOD attributes, mirror lists and the
#                            string-context derivations the walk could not enter
#   paths     attribute paths below the target to evaluate; [] is the target itself
#   strict    true: no tryEval, so a failure aborts with Nix's own message (used to collect messages)
#   skip      attribute names (dotted) not to evaluate: known to kill the evaluator
#
# Errors builtins.tryEval cannot catch (abort, missing attribute, type errors) kill the process. So
# that the caller can tell which attribute did it, each root is announced on stderr
# (`trace: vigil-root: NAME`) before it is evaluated, and `trace: vigil-walk` marks the end of the
# roots: a fatal error's last announcement before it names the culprit.
#
# Output field names are deliberately not `outPath`: a set with an outPath field prints as a bare string.
{ spec, ... }:
let
  b = builtins;
  s = b.fromJSON (b.readFile spec);
  args = s.args or { };
  strict = s.strict or false;
  try = if strict then (x: { success = true; value = x; }) else b.tryEval;

  # nix-instantiate's auto-call: a function taking a set gets the --arg values. functionArgs cannot
  # tell `{ a, ... }:` from `{ a }:`, so a function naming its formals gets exactly those.
  autoCall = f:
    if b.isFunction f then
      let formals = b.functionArgs f; in
      f (if formals == { } then args else b.intersectAttrs formals args)
    else f;

  isDrv = v: b.isAttrs v && (v.type or null) == "derivation";
  select = v: n: if b.isList v then b.elemAt v (b.fromJSON n) else v.${n};
  target = b.foldl' (v: n: autoCall (select v n)) (autoCall (import s.file)) (s.attrPath or [ ]);
  resolve = p: b.foldl' select target p;
  join = p: b.concatStringsSep "." ((s.attrPath or [ ]) ++ p);

  # The attribute names nix-instantiate considers (get-drvs.cc attrRegex).
  goodName = n: b.match "[A-Za-z_][A-Za-z0-9_+-]*" n != null;
  childNames = v:
    if b.isList v then b.genList toString (b.length v)
    else b.filter goodName (b.attrNames v);
  recurses = v: b.isAttrs v && (v.recurseForDerivations or false) == true;

  # Root derivations under path p, as nix-instantiate finds them: the target itself (a
  # derivation, a list or any set), and below it derivations and sets with recurseForDerivations.
  skip = b.listToAttrs (map (n: { name = n; value = true; }) (s.skip or [ ]));
  rootsOf = isTop: p:
    if skip ? ${join p} then [ ] else
    let r = b.trace "vigil-root: ${join p}" (try (let v = resolve p; in
      # drvPath is forced inside tryEval: a broken dependency or a meta check throws only there.
      if isDrv v then b.seq v.drvPath { drv = v; drvPath = v.drvPath; }
      else if (isTop && (b.isAttrs v || b.isList v)) || recurses v then { children = childNames v; }
      else { }));
    in
    if !r.success then [ { attr = join p; failed = true; } ]
    else if r.value ? drv then [ { attr = join p; drv = r.value.drv; drvPath = r.value.drvPath; } ]
    else if r.value ? children then b.concatMap (n: rootsOf false (p ++ [ n ])) r.value.children
    else if isTop then [ { attr = join p; noDerivations = true; } ]
    else [ ];

  roots = b.concatMap (p: rootsOf (p == [ ]) p) s.paths;
  good = b.filter (r: r ? drvPath) roots;
  rootRecords = map (r: if r ? drvPath then { inherit (r) attr drvPath; } else r) roots;

  # A value as it appears in a derivation's environment (builtins.toString is Nix's env coercion,
  # except that paths are copied to the store there: interpolation gives that store path, and in
  # read-only mode computes it without copying). Structured attrs may hold plain sets, which have
  # no string form: those become their JSON.
  toEnv = v:
    if b.isPath v then "${v}"
    else if b.isList v then b.concatStringsSep " " (map toEnv v)
    else if b.isAttrs v && !(v ? outPath || v ? __toString) then b.toJSON v
    else b.toString v;

  # Derivation values and context-carrying strings inside a derivation's attributes: derivations
  # are walked; the strings' context names derivations the walk may never see as values. One flat
  # list of both (the sets are the derivations), split once per derivation: a pair of lists per
  # value made the walk of the 41k-drv bench set take 18.6 s and 1.65 GB, this 12.4 s and 0.82 GB.
  scan = structured: v:
    if b.isString v then (if b.hasContext v then [ v ] else [ ])
    else if isDrv v then [ v ]
    else if b.isList v then b.concatMap (scan structured) v
    else if b.isAttrs v then
      (if v ? outPath then scan structured v.outPath
       else if structured then b.concatMap (n: scan structured v.${n}) (b.attrNames v)
       else [ ])
    else [ ];

  # `scan` over the attribute values of a derivation without structured attrs, where only a string,
  # a set or a list can hold a derivation: the values are sorted by type with primops (filter with
  # isString, isAttrs, isList), which cost far less than a call of `scan` per value. The walk of
  # the 41k-drv bench set took 13.4 s instead of 15.4 s (medians of 5 interleaved pairs), with the
  # same records.
  scanValues = vs:
    let lists = b.filter b.isList vs; in
    b.filter b.hasContext (b.filter b.isString vs)
    ++ b.concatMap (scan false) (b.filter b.isAttrs vs)
    ++ (if lists == [ ] then [ ] else scanValues (b.concatLists lists));

  attrsOf = d: d.drvAttrs or { };
  scanDrv = d:
    let
      a = attrsOf d;
      found =
        if a.__structuredAttrs or false then b.concatMap (n: scan true a.${n}) (b.attrNames a)
        else scanValues (b.attrValues a);
    in
    { drvs = b.filter b.isAttrs found; strs = b.filter b.isString found; };

  # Each item carries its scan as a thunk, shared by the operator and drvRecord.
  item = attr: d: { key = d.drvPath; inherit d attr; found = scanDrv d; };
  closure = b.genericClosure {
    startSet = b.seq (b.length good) (b.trace "vigil-walk" (map (r: item r.attr r.drv) good));
    operator = i: map (item i.attr) (b.filter (x: x ? drvPath) i.found.drvs);
  };
  walked = b.listToAttrs (map (i: { name = b.unsafeDiscardStringContext i.key; value = true; }) closure);

  fodKeys = [ "outputHash" "outputHashAlgo" "outputHashMode" "url" "urls" "rev" "owner" "repo"
    "builder" "fetcher" "postFetch" "name" "executable" "unpack" "mirrorsFile" "src" "__structuredAttrs" ];
  fodOf = a:
    let
      ignoreNulls = a.__ignoreNulls or false;
      present = b.filter (k: a ? ${k} && !(ignoreNulls && a.${k} == null)) fodKeys;
    in
    b.listToAttrs (map (k: { name = k; value = toEnv a.${k}; }) present);
  isFod = a: (a.outputHash or null) != null;
  mirrorsOf = a: if isFod a && isDrv (a.mirrorsFile or null) then a.mirrorsFile else null;

  drvRecord = i:
    let
      d = i.d;
      a = attrsOf d;
      found = i.found;
      firstOut = b.head (a.outputs or [ "out" ]);
      m = mirrorsOf a;
      named = b.filter (k: b.match ".*\\.drv" k != null) (b.attrNames (b.getContext (b.concatStringsSep "" found.strs)));
      held = map (x: b.unsafeDiscardStringContext x.drvPath) (b.filter (x: x ? drvPath) found.drvs);
      ctx = b.filter (k: !(walked ? ${k})) named;
    in
    {
      drvPath = i.key;
      attr = i.attr;
      name = a.name or d.name;
      out = (d.${firstOut} or d).outPath;
      # What the .drv's inputDrvs would hold: derivations held as values and named in strings.
      inputs = b.attrNames (b.listToAttrs (map (k: { name = k; value = null; }) (held ++ named)));
    }
    // (if isFod a then { fod = fodOf a; } else { })
    // (if m != null then { mirrorsDrv = m.drvPath; } else { })
    // (if ctx != [ ] then { unresolved = ctx; } else { });

  # Mirror sites: list-valued attributes of URLs (one per site, plus hashedMirrors).
  isUrlList = v: b.isList v && v != [ ] && b.all (u: b.isString u && b.match "[a-zA-Z][a-zA-Z0-9+.-]*://.*" u != null) v;
  mirrorDrvs = b.genericClosure {
    startSet = map (m: { key = m.drvPath; d = m; }) (b.filter (m: m != null) (map (i: mirrorsOf (attrsOf i.d)) closure));
    operator = _: [ ];
  };
  mirrorRecord = i:
    let a = attrsOf i.d; in
    {
      drvPath = i.key;
      sites = b.listToAttrs (map (n: { name = n; value = toEnv a.${n}; }) (b.filter (n: isUrlList a.${n}) (b.attrNames a)));
    };

  namesOf = p:
    let v = resolve p; in
    if isDrv v then { kind = "drv"; }
    else if b.isList v then { kind = "list"; names = childNames v; }
    else if b.isAttrs v then { kind = "set"; recurse = recurses v; names = childNames v; }
    else { kind = "other"; };
in
if s.mode == "names" then namesOf (b.head s.paths)
else if s.mode == "instantiate" then { roots = rootRecords; }
else {
  drvs = map drvRecord closure;
  mirrors = map mirrorRecord mirrorDrvs;
  roots = rootRecords;
}
