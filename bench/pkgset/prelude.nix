# The base of every generated package set: a bootstrap chain ending in stdenv, the tools the
# fetchers run, a mirrors-list derivation, and fetchers shaped like nixpkgs' own
# (pkgs/build-support/fetchurl, fetchzip, fetchgithub, fetchgitlab, fetchgit, rust, go).
# generate.py pastes this expression into each set it writes, so a written set is one
# self-contained file. Nothing here is meant to be built: hashes are fake but well-formed, and
# builders are plausible scripts only (docs/nix-formats.md §7 describes the real shapes).
let
  inherit (builtins) attrNames baseNameOf concatStringsSep elemAt genList hashString
    length removeAttrs stringLength substring toFile;

  system = "x86_64-linux";
  nixpkgsVersion = "25.11pre870157.e06158e58f3a";

  # A base16 sha256 standing for the content of a source that is never fetched.
  fake = what: hashString "sha256" "vigil-bench:${what}";

  hasSuffix = suffix: s:
    stringLength s >= stringLength suffix
    && substring (stringLength s - stringLength suffix) (stringLength suffix) s == suffix;

  getDev = p: p.dev or p;

  # ---------------------------------------------------------------------------------------------
  # Bootstrap: Nix's own builtin:fetchurl brings the bootstrap tools, and a chain of stdenv stages
  # rebuilds the toolchain (pkgs/stdenv/linux). Every package ends up depending on all of it.

  fetchurlBoot = import <nix/fetchurl.nix>;

  bootstrapUrl = "http://tarballs.nixos.org/stdenv/x86_64-unknown-linux-gnu/82b583ba2ba2e5706b35dbe23f31362e62be2a9d";

  busybox = fetchurlBoot {
    url = "${bootstrapUrl}/busybox";
    sha256 = fake "busybox";
    executable = true;
  };

  bootstrapTarball = fetchurlBoot {
    url = "${bootstrapUrl}/bootstrap-tools.tar.xz";
    sha256 = fake "bootstrap-tools.tar.xz";
  };

  bootstrapTools = derivation {
    name = "bootstrap-tools";
    inherit system;
    builder = busybox;
    args = [ "ash" "-e" (toFile "unpack-bootstrap-tools.sh" ''
      # Unpack the bootstrap tools tarball.
      echo Unpacking the bootstrap tools...
      $builder mkdir $out
      < $tarball $builder unxz | $builder tar x -C $out
      # Set the ELF interpreter / RPATH in the bootstrap binaries.
      echo Patching the bootstrap tools...
      LD_LIBRARY_PATH=$out/lib $out/lib/ld-linux*.so.? $out/bin/cp $out/bin/patchelf .
      for i in $out/bin/* $out/libexec/gcc/*/*/*; do
          if [ -L "$i" ]; then continue; fi
          if [ -z "''${i##*/liblto*}" ]; then continue; fi
          echo patching "$i"
          LD_LIBRARY_PATH=$out/lib $out/lib/ld-linux*.so.? \
              $out/bin/patchelf --set-interpreter $out/lib/ld-linux*.so.? --set-rpath $out/lib --force-rpath "$i"
      done
    '') ];
    tarball = bootstrapTarball;
    langC = true;
    langCC = true;
    isGNU = true;
  };

  setupSh = toFile "setup.sh" ''
    # shellcheck shell=bash
    set -eu
    set -o pipefail
    shopt -s inherit_errexit
    if (( "''${NIX_DEBUG:-0}" >= 6 )); then set -x; fi
    : "''${outputs:=out}"
    runHook() {
        local hookName="$1"; shift
        local hooksSlice="''${hookName%Hook}Hooks[@]"
        local hook
        for hook in "_callImplicitHook 0 $hookName" ''${!hooksSlice+"''${!hooksSlice}"}; do
            _eval "$hook" "$@"
        done
        return 0
    }
    addToSearchPath() { addToSearchPathWithCustomDelimiter ":" "$@"; }
    genericBuild() {
        if [ -f "''${buildCommandPath:-}" ]; then source "$buildCommandPath"; return; fi
        if [ -n "''${buildCommand:-}" ]; then eval "$buildCommand"; return; fi
        local phases="''${prePhases[*]:-} unpackPhase patchPhase ''${preConfigurePhases[*]:-} \
            configurePhase ''${preBuildPhases[*]:-} buildPhase checkPhase \
            ''${preInstallPhases[*]:-} installPhase ''${preFixupPhases[*]:-} fixupPhase installCheckPhase \
            ''${preDistPhases[*]:-} distPhase ''${postPhases[*]:-}"
        for curPhase in $phases; do runPhase "$curPhase"; done
    }
    # Tab-separated table of phase timings:	phase	seconds
  '';

  stdenvBuilder = toFile "builder.sh" ''
    export PATH=
    for i in $initialPath; do
        if [ "$i" = / ]; then i=; fi
        PATH=$PATH''${PATH:+:}$i/bin
    done
    mkdir $out
    { echo "export SHELL=$shell"; echo "initialPath=\"$initialPath\""; echo "defaultNativeBuildInputs=\"$defaultNativeBuildInputs\""; echo "$preHook"; cat "$setup"; } > $out/setup
  '';

  # One stdenv of the bootstrap chain; its setup sources the stage before it.
  stage = { name, prev ? null, shell, initialPath, cc ? null, extra ? { } }: derivation ({
    inherit name system shell initialPath;
    builder = shell;
    args = [ "-e" stdenvBuilder ];
    setup = setupSh;
    defaultNativeBuildInputs = if cc == null then [ ] else [ cc ];
    preHook = if prev == null then "export NIX_ENFORCE_PURITY=1" else "source ${prev}/setup";
    outputs = [ "out" ];
  } // extra);

  defaultBuilder = toFile "default-builder.sh" ''
    if [ -e "$NIX_ATTRS_SH_FILE" ]; then . "$NIX_ATTRS_SH_FILE"; elif [ -f .attrs.sh ]; then . .attrs.sh; fi
    source $stdenv/setup
    genericBuild
  '';

  # mkDerivation of nixpkgs, reduced to the environment it produces: every dependency list and
  # flag that stdenv always sets, the outputs, and whatever the package adds.
  mkDerivationWith = stdenv: shell: attrs:
    let
      extra = removeAttrs attrs [ "builder" "realBuilder" "passthru" "meta" ];
    in
    derivation ({
      __structuredAttrs = false;
      buildInputs = [ ];
      builder = attrs.realBuilder or shell;
      args = [ "-e" (attrs.builder or defaultBuilder) ];
      cmakeFlags = [ ];
      configureFlags = [ ];
      depsBuildBuild = [ ];
      depsBuildBuildPropagated = [ ];
      depsBuildTarget = [ ];
      depsBuildTargetPropagated = [ ];
      depsHostHost = [ ];
      depsHostHostPropagated = [ ];
      depsTargetTarget = [ ];
      depsTargetTargetPropagated = [ ];
      doCheck = false;
      doInstallCheck = false;
      mesonFlags = [ ];
      name = attrs.name or "${attrs.pname}-${attrs.version}";
      nativeBuildInputs = [ ];
      outputs = [ "out" ];
      patches = [ ];
      propagatedBuildInputs = [ ];
      propagatedNativeBuildInputs = [ ];
      inherit stdenv system;
      strictDeps = false;
    } // extra);

  gnuTarball = pname: version: ext: "https://ftp.gnu.org/gnu/${pname}/${pname}-${version}.tar.${ext}";

  stage0 = stage {
    name = "bootstrap-stage0-stdenv-linux";
    shell = "${bootstrapTools}/bin/bash";
    initialPath = [ bootstrapTools ];
  };
  glibcBootstrapFiles = derivation {
    name = "bootstrap-stage0-glibc-bootstrapFiles";
    inherit system;
    builder = "${bootstrapTools}/bin/bash";
    args = [ "-c" "mkdir -p $out; ln -s ${bootstrapTools}/lib $out/lib; ln -s ${bootstrapTools}/include-glibc $out/include" ];
  };
  stagePackage = stdenv: pname: version: src: extra:
    mkDerivationWith stdenv "${bootstrapTools}/bin/bash" ({ inherit pname version src; enableParallelBuilding = true; } // extra);
  binutils = stagePackage stage0 "binutils" "2.43.1"
    (fetchurlBoot { url = gnuTarball "binutils" "2.43.1" "bz2"; sha256 = fake "binutils-2.43.1"; })
    { outputs = [ "out" "info" "man" "dev" "lib" ]; configureFlags = [ "--enable-deterministic-archives" "--enable-64-bit-bfd" "--with-system-zlib" ]; };
  stage1 = stage {
    name = "bootstrap-stage1-stdenv-linux";
    prev = stage0;
    shell = "${bootstrapTools}/bin/bash";
    initialPath = [ bootstrapTools binutils ];
    extra = { libc = glibcBootstrapFiles; };
  };
  gcc = stagePackage stage1 "gcc" "14.2.0"
    (fetchurlBoot { url = "https://ftp.gnu.org/gnu/gcc/gcc-14.2.0/gcc-14.2.0.tar.xz"; sha256 = fake "gcc-14.2.0"; })
    { outputs = [ "out" "man" "info" "lib" "libgcc" "checksum" ]; configureFlags = [ "--disable-multilib" "--enable-languages=c,c++" "--with-system-zlib" ]; };
  stage2 = stage {
    name = "bootstrap-stage2-stdenv-linux";
    prev = stage1;
    shell = "${bootstrapTools}/bin/bash";
    initialPath = [ bootstrapTools binutils ];
    cc = gcc;
  };
  glibc = stagePackage stage2 "glibc" "2.40-66"
    (fetchurlBoot { url = gnuTarball "glibc" "2.40" "xz"; sha256 = fake "glibc-2.40"; })
    { outputs = [ "out" "bin" "dev" "static" "getent" ]; configureFlags = [ "--enable-add-ons" "--enable-stack-protector=strong" "--enable-bind-now" ]; };
  stage3 = stage {
    name = "bootstrap-stage3-stdenv-linux";
    prev = stage2;
    shell = "${bootstrapTools}/bin/bash";
    initialPath = [ bootstrapTools binutils glibc ];
    cc = gcc;
  };
  bash = stagePackage stage3 "bash" "5.2p37"
    (fetchurlBoot { url = gnuTarball "bash" "5.2" "gz"; sha256 = fake "bash-5.2"; })
    { outputs = [ "out" "dev" "man" "doc" "info" ]; configureFlags = [ "--without-bash-malloc" "--disable-readline" ]; };
  coreutils = stagePackage stage3 "coreutils" "9.5"
    (fetchurlBoot { url = gnuTarball "coreutils" "9.5" "xz"; sha256 = fake "coreutils-9.5"; })
    { outputs = [ "out" "info" ]; configureFlags = [ "--enable-single-binary=symlinks" ]; };
  stage4 = stage {
    name = "bootstrap-stage4-stdenv-linux";
    prev = stage3;
    shell = "${bash}/bin/bash";
    initialPath = [ coreutils binutils glibc ];
    cc = gcc;
  };
  stdenv = stage {
    name = "stdenv-linux";
    prev = stage4;
    shell = "${bash}/bin/bash";
    initialPath = [ coreutils binutils glibc ];
    cc = gcc;
    extra = { cc = gcc; };
  };
  stdenvNoCC = stage {
    name = "stdenv-linux";
    prev = stage4;
    shell = "${bash}/bin/bash";
    initialPath = [ coreutils ];
  };

  mkDerivation = mkDerivationWith stdenv "${bash}/bin/bash";
  mkDerivationNoCC = mkDerivationWith stdenvNoCC "${bash}/bin/bash";

  # ---------------------------------------------------------------------------------------------
  # Tools the fetchers and builders use. curl and the CA bundle are fetched with builtin:fetchurl,
  # as nixpkgs does (fetchurl cannot fetch its own fetcher).

  cacert = mkDerivationNoCC {
    pname = "nss-cacert";
    version = "3.104";
    src = fetchurlBoot { url = "https://ftp.mozilla.org/pub/security/nss/releases/NSS_3_104_RTM/src/nss-3.104.tar.gz"; sha256 = fake "nss-3.104"; };
    outputs = [ "out" "unbundled" "p11kit" ];
  };
  zlib = mkDerivation {
    pname = "zlib";
    version = "1.3.1";
    src = fetchurlBoot { url = "https://www.zlib.net/fossils/zlib-1.3.1.tar.gz"; sha256 = fake "zlib-1.3.1"; };
    outputs = [ "out" "dev" "static" ];
  };
  openssl = mkDerivation {
    pname = "openssl";
    version = "3.3.2";
    src = fetchurlBoot { url = "https://www.openssl.org/source/openssl-3.3.2.tar.gz"; sha256 = fake "openssl-3.3.2"; };
    outputs = [ "out" "bin" "dev" "man" "doc" ];
    buildInputs = [ (getDev zlib) ];
  };
  curl = mkDerivation {
    pname = "curl";
    version = "8.10.1";
    src = fetchurlBoot { url = "https://curl.haxx.se/download/curl-8.10.1.tar.xz"; sha256 = fake "curl-8.10.1"; };
    outputs = [ "out" "bin" "dev" "man" "devdoc" ];
    buildInputs = [ (getDev zlib) (getDev openssl) ];
    configureFlags = [ "--enable-versioned-symbols" "--with-ca-fallback" "--with-openssl=${getDev openssl}" ];
  };

  mirrors = {
    gnu = [ "https://ftpmirror.gnu.org/" "https://ftp.nluug.nl/pub/gnu/" "https://mirrors.kernel.org/gnu/" "https://mirror.ibcp.fr/pub/gnu/" "https://mirror.dogado.de/gnu/" "https://mirror.tochlab.net/pub/gnu/" "https://ftp.gnu.org/pub/gnu/" "ftp://ftp.funet.fi/pub/mirrors/ftp.gnu.org/gnu/" ];
    gcc = [ "https://mirror.koddos.net/gcc/" "https://bigsearcher.com/mirrors/gcc/" "ftp://ftp.nluug.nl/mirror/languages/gcc/" "ftp://ftp.fu-berlin.de/unix/languages/gcc/" "ftp://gcc.gnu.org/pub/gcc/" ];
    sourceforge = [ "https://downloads.sourceforge.net/" "https://prdownloads.sourceforge.net/" "https://netcologne.dl.sourceforge.net/sourceforge/" "https://versaweb.dl.sourceforge.net/sourceforge/" "https://freefr.dl.sourceforge.net/sourceforge/" "https://osdn.dl.sourceforge.net/sourceforge/" ];
    kernel = [ "https://cdn.kernel.org/pub/" "http://linux-kernel.uio.no/pub/" "http://ftp.nluug.nl/pub/os/Linux/" "http://ftp.funet.fi/pub/mirrors/ftp.kernel.org/pub/" ];
    savannah = [ "https://mirror.easyname.at/nongnu/" "https://savannah.c3sl.ufpr.br/" "https://mirror.csclub.uwaterloo.ca/nongnu/" "https://mirror.cedia.org.ec/nongnu/" "https://ftp.acc.umu.se/mirror/gnu.org/savannah/" "https://download.savannah.gnu.org/releases/" ];
    apache = [ "https://dlcdn.apache.org/" "https://www-eu.apache.org/dist/" "https://ftp.wayne.edu/apache/" "https://www.apache.org/dist/" "https://archive.apache.org/dist/" ];
    cpan = [ "https://cpan.metacpan.org/" "https://cpan.perl.org/" "https://mirrors.kernel.org/CPAN/" "https://backpan.perl.org/" ];
    debian = [ "https://httpredir.debian.org/debian/" "https://ftp.debian.org/debian/" "https://mirrors.edge.kernel.org/debian/" "https://snapshot.debian.org/archive/debian/" ];
    ubuntu = [ "https://nl.archive.ubuntu.com/ubuntu/" "https://old-releases.ubuntu.com/ubuntu/" "https://mirrors.edge.kernel.org/ubuntu/" ];
    gnome = [ "https://download.gnome.org/" "https://fr2.rpmfind.net/linux/gnome.org/" "https://ftp.acc.umu.se/pub/GNOME/" "https://ftp.belnet.be/mirror/ftp.gnome.org/" ];
    kde = [ "https://cdn.download.kde.org/" "https://download.kde.org/download.php?url=" "https://ftp.gwdg.de/pub/x11/kde/" "https://ftp.funet.fi/pub/mirrors/ftp.kde.org/pub/kde/" ];
    xorg = [ "https://xorg.freedesktop.org/releases/" "https://ftp.x.org/archive/" ];
    pypi = [ "https://files.pythonhosted.org/packages/source/" ];
    hackage = [ "https://hackage.haskell.org/package/" ];
    mozilla = [ "https://download.cdn.mozilla.net/pub/mozilla.org/" "https://archive.mozilla.org/pub/" ];
    openbsd = [ "https://ftp.openbsd.org/pub/OpenBSD/" "ftp://ftp.nluug.nl/pub/OpenBSD/" ];
    samba = [ "https://www.samba.org/ftp/" "http://www.samba.org/ftp/" ];
    sourceware = [ "https://sourceware.org/pub/" "https://sourceware.mirror.garr.it/" "https://mirrors.kernel.org/sourceware/" ];
    luarocks = [ "https://luarocks.org/" "https://raw.githubusercontent.com/rocks-moonscript-org/moonrocks-mirror/master/" "https://luafr.org/moonrocks/" ];
    maven = [ "https://repo1.maven.org/maven2/" ];
    alsa = [ "https://www.alsa-project.org/files/pub/" "ftp://ftp.alsa-project.org/pub/" "http://alsa.cybermirror.org/" ];
  };

  writeMirrorList = toFile "write-mirror-list.sh" ''
    source $stdenv/setup
    # !!! this is kinda hacky.
    set | grep -E '^[a-zA-Z]+=.*://' > $out
  '';

  # One variable per mirror site, each a space-separated list of base URLs (nixpkgs spreads its
  # mirrors.nix into this derivation), so mirror:// can be resolved from the drv graph alone.
  mirrorsFile = mkDerivationNoCC ({
    name = "mirrors-list";
    strictDeps = true;
    builder = writeMirrorList;
    preferLocalBuild = true;
    hashedMirrors = [ "https://tarballs.nixos.org" ];
  } // mirrors);

  impureProxyVars = [ "http_proxy" "https_proxy" "ftp_proxy" "all_proxy" "no_proxy" ];

  fetchurlBuilder = toFile "builder.sh" ''
    source $mirrorsFile
    curlVersion=$(curl -V | head -1 | cut -d' ' -f2)
    curl=(
        curl
        --location
        --max-redirs 20
        --retry 3
        --disable-epsv
        --cookie-jar cookies
        --user-agent "curl/$curlVersion Nixpkgs/$nixpkgsVersion"
    )
    if ! [ -f "$SSL_CERT_FILE" ]; then curl+=(--insecure); fi
    eval "curl+=($curlOptsList)"
    curl+=($NIX_CURL_FLAGS $curlOpts)
    downloadedFile="$out"
    if [ -n "$downloadToTemp" ]; then downloadedFile="$TMPDIR/file"; fi
    tryDownload() {
        local url="$1"
        echo
        echo "trying $url"
        local curlexit=18;
        success=
        while [ $curlexit -eq 18 ]; do
            if "''${curl[@]}" -C - --fail "$url" --output "$downloadedFile"; then
                success=1
                break
            else
                curlexit=$?;
            fi
        done
    }
    urls2=
    for url in $urls; do
        if test "''${url:0:9}" != "mirror://"; then
            urls2="$urls2 $url"
        else
            url2="''${url:9}"; echo "''${url2/\// }" > split; read site fileName < split
            varName="NIX_MIRRORS_$site"
            if test -n "''${!varName}"; then mirrors="''${!varName}"; else mirrors=''${!site}; fi
            if test -z "$mirrors"; then echo "warning: unknown mirror:// site \`$site'"; else
                for url3 in $mirrors; do urls2="$urls2 $url3$fileName"; done
            fi
        fi
    done
    urls="$urls2"
    for url in $urls; do
        tryDownload "$url"
        if test -n "$success"; then runHook postFetch; exit 0; fi
    done
    echo "error: cannot download $name from any mirror"
    exit 1
  '';

  # nixpkgs' fetchurl: the URL list goes into env `urls` (space separated, mirror:// kept), the
  # hash into outputHash (outputHashAlgo omitted for SRI `hash`, as nixpkgs' __ignoreNulls does).
  fetchurl =
    { url ? ""
    , urls ? [ ]
    , name ? ""
    , pname ? ""
    , version ? ""
    , hash ? ""
    , sha1 ? ""
    , sha256 ? ""
    , sha512 ? ""
    , recursiveHash ? false
    , executable ? false
    , postFetch ? ""
    , downloadToTemp ? false
    , curlOpts ? ""
    , curlOptsList ? [ ]
    , showURLs ? false
    , nativeBuildInputs ? [ ]
    , extraEnv ? { }
    }:
    let
      urls' = if urls != [ ] then urls else [ url ];
      name' =
        if name != "" then name
        else if pname != "" && version != "" then "${pname}-${version}"
        else baseNameOf (elemAt urls' 0);
      hashAttrs =
        if hash != "" then { outputHash = hash; }
        else if sha512 != "" then { outputHashAlgo = "sha512"; outputHash = sha512; }
        else if sha256 != "" then { outputHashAlgo = "sha256"; outputHash = sha256; }
        else if sha1 != "" then { outputHashAlgo = "sha1"; outputHash = sha1; }
        else throw "fetchurl requires a hash for fixed-output derivation: ${concatStringsSep ", " urls'}";
    in
    mkDerivationNoCC ({
      name = name';
      realBuilder = "/bin/sh";
      builder = fetchurlBuilder;
      urls = urls';
      nativeBuildInputs = [ curl ] ++ nativeBuildInputs;
      outputHashMode = if recursiveHash || executable then "recursive" else "flat";
      inherit curlOpts curlOptsList downloadToTemp executable postFetch showURLs nixpkgsVersion mirrorsFile;
      SSL_CERT_FILE = "/no-cert-file.crt";
      impureEnvVars = impureProxyVars ++ [ "NIX_CURL_FLAGS" "NIX_HASHED_MIRRORS" "NIX_CONNECT_TIMEOUT" ]
        ++ map (site: "NIX_MIRRORS_${site}") (attrNames mirrors);
      preferHashedMirrors = true;
      preferLocalBuild = true;
    } // hashAttrs // extraEnv);

  # fetchzip: fetchurl into a temporary file, unpacked in postFetch, NAR-hashed.
  fetchzip = { name ? "source", stripRoot ? true, postFetch ? "", ... }@args:
    fetchurl ((removeAttrs args [ "stripRoot" ]) // {
      inherit name;
      recursiveHash = true;
      downloadToTemp = true;
      nativeBuildInputs = [ unzip ];
      postFetch = ''
        unpackDir="$TMPDIR/unpack"
        mkdir "$unpackDir"
        cd "$unpackDir"
        renamed="$TMPDIR/${baseNameOf (args.url or (elemAt args.urls 0))}"
        mv "$downloadedFile" "$renamed"
        unpackFile "$renamed"
        chmod -R +w "$unpackDir"
      '' + (if stripRoot then ''
        if [ $(ls -A "$unpackDir" | wc -l) != 1 ]; then
          echo "error: zip file must contain a single file or directory."
          echo "hint: Pass stripRoot=false; to fetchzip to assume flat list of files."
          exit 1
        fi
        fn=$(cd "$unpackDir" && ls -A)
        if [ -f "$unpackDir/$fn" ]; then
          mkdir $out
        fi
        mv "$unpackDir/$fn" "$out"
      '' else ''
        mv "$unpackDir" "$out"
      '') + postFetch + ''
        chmod 755 "$out"
      '';
    });

  fetchFromGitHub = { owner, repo, rev ? "", tag ? "", name ? "source", ... }@args:
    let
      rev' = if tag != "" then "refs/tags/${tag}" else rev;
    in
    fetchzip ((removeAttrs args [ "owner" "repo" "rev" "tag" ]) // {
      inherit name;
      url = "https://github.com/${owner}/${repo}/archive/${rev'}.tar.gz";
      extraEnv = { inherit owner repo tag; rev = rev'; githubBase = "github.com"; };
    });

  fetchFromGitLab = { domain ? "gitlab.com", owner, repo, rev, name ? "source", ... }@args:
    fetchzip ((removeAttrs args [ "domain" "owner" "repo" "rev" ]) // {
      inherit name;
      url = "https://${domain}/api/v4/projects/${owner}%2F${repo}/repository/archive.tar.gz?sha=${rev}";
    });

  fetchpatch = { url, name ? baseNameOf url, ... }@args:
    fetchurl (args // {
      inherit name;
      postFetch = ''
        tmpfile="$TMPDIR/patch"
        if [ ! -s "$out" ]; then
          echo "error: Fetched patch file '$out' is empty!" 1>&2
          exit 1
        fi
        set +e
        lsdiff --strip=1 "$out" > /dev/null
        set -e
        filterdiff --include={} --strip=1 "$out" > "$tmpfile"
        mv "$tmpfile" "$out"
      '';
    });

  gitBuilder = toFile "builder.sh" ''
    source $stdenv/setup
    header "exporting $url (rev $rev) into $out"
    $SHELL $fetcher --builder --url "$url" --out "$out" --rev "$rev" --name "$name" \
      ''${leaveDotGit:+--leave-dotGit} \
      ''${fetchLFS:+--fetch-lfs} \
      ''${deepClone:+--deepClone} \
      ''${fetchSubmodules:+--fetch-submodules} \
      ''${sparseCheckout:+--sparse-checkout "$sparseCheckout"} \
      ''${nonConeMode:+--non-cone-mode} \
      ''${branchName:+--branch-name "$branchName"}
    runHook postFetch
    stopNest
  '';

  fetchgit =
    { url
    , rev ? "HEAD"
    , name ? ""
    , hash ? ""
    , sha256 ? ""
    , leaveDotGit ? false
    , fetchSubmodules ? true
    , deepClone ? false
    , branchName ? ""
    , sparseCheckout ? [ ]
    , nonConeMode ? false
    , fetchLFS ? false
    , postFetch ? ""
    }:
    let
      base = baseNameOf url;
      repoName = if hasSuffix ".git" base then substring 0 (stringLength base - 4) base else base;
      shortRev = if stringLength rev == 40 then substring 0 7 rev else rev;
    in
    mkDerivationNoCC ({
      name = if name != "" then name else "${repoName}-${shortRev}";
      realBuilder = "/bin/sh";
      builder = gitBuilder;
      fetcher = "${nixPrefetchGit}/bin/nix-prefetch-git";
      nativeBuildInputs = [ git cacert ];
      outputHashMode = "recursive";
      inherit url rev leaveDotGit fetchLFS fetchSubmodules deepClone nonConeMode postFetch branchName;
      sparseCheckout = concatStringsSep "\n" sparseCheckout;
      NIX_PREFETCH_GIT_CHECKOUT_HOOK = "";
      impureEnvVars = impureProxyVars ++ [ "GIT_PROXY_COMMAND" "NIX_GIT_SSL_CAINFO" "SOCKS_SERVER" ];
      GIT_SSL_CAINFO = "${cacert}/etc/ssl/certs/ca-bundle.crt";
      preferLocalBuild = true;
    } // (if hash != "" then { outputHash = hash; } else { outputHashAlgo = "sha256"; outputHash = sha256; }));

  # Vendored dependencies: recursive FODs whose URLs live in a lockfile inside `src`.
  fetchCargoVendor = { name, src, hash ? "", sha256 ? "" }: mkDerivationNoCC ({
    name = "${name}-vendor";
    realBuilder = "/bin/sh";
    builder = toFile "fetch-cargo-vendor.sh" ''
      source $stdenv/setup
      unpackPhase
      cd "''${sourceRoot:-.}"
      fetch-cargo-vendor-util create-vendor-staging ./Cargo.lock "$out"
    '';
    inherit src;
    nativeBuildInputs = [ cargo cacert ];
    outputHashMode = "recursive";
    SSL_CERT_FILE = "${cacert}/etc/ssl/certs/ca-bundle.crt";
    impureEnvVars = impureProxyVars;
  } // (if hash != "" then { outputHash = hash; } else { outputHashAlgo = "sha256"; outputHash = sha256; }));

  goModulesFor = { name, src, hash, modRoot ? "./" }: mkDerivation ({
    name = "${name}-go-modules";
    realBuilder = "/bin/sh";
    builder = toFile "go-modules.sh" ''
      source $stdenv/setup
      unpackPhase
      cd "$sourceRoot/$modRoot"
      export GOCACHE=$TMPDIR/go-cache
      export GOPATH="$TMPDIR/go"
      go mod vendor
      mkdir -p vendor
      cp -r --reflink=auto vendor $out
    '';
    inherit src modRoot;
    nativeBuildInputs = [ go git cacert ];
    GO111MODULE = "on";
    GOTOOLCHAIN = "local";
    GOFLAGS = "-mod=mod";
    outputHashMode = "recursive";
    outputHash = hash;
    impureEnvVars = impureProxyVars ++ [ "GIT_PROXY_COMMAND" "SOCKS_SERVER" "GOPROXY" ];
  } // (if hasSuffix "=" hash then { } else { outputHashAlgo = "sha256"; }));

  unzip = mkDerivation {
    pname = "unzip";
    version = "6.0";
    src = fetchurl { url = "mirror://sourceforge/infozip/unzip60.tar.gz"; sha256 = fake "unzip60"; };
    outputs = [ "out" "man" ];
  };
  git = mkDerivation {
    pname = "git";
    version = "2.46.1";
    src = fetchurl { url = "mirror://kernel/software/scm/git/git-2.46.1.tar.xz"; sha256 = fake "git-2.46.1"; };
    outputs = [ "out" "doc" ];
    buildInputs = [ (getDev curl) (getDev openssl) (getDev zlib) ];
  };
  nixPrefetchGit = mkDerivationNoCC {
    name = "nix-prefetch-git";
    buildCommand = "install -vD ${toFile "nix-prefetch-git" "#! /bin/sh\n# fetches a git repository\n"} $out/bin/nix-prefetch-git";
    propagatedBuildInputs = [ git coreutils ];
  };
  go = mkDerivation {
    pname = "go";
    version = "1.23.2";
    src = fetchurl { url = "https://go.dev/dl/go1.23.2.src.tar.gz"; hash = "sha256-NpMBYqk99BfZC9IsbhTa/0cFuqwrAkGO3aZxzfqc0H8="; };
    GOOS = "linux";
    GOARCH = "amd64";
  };
  cargo = mkDerivation {
    pname = "cargo";
    version = "1.82.0";
    src = fetchurl { url = "https://static.rust-lang.org/dist/rustc-1.82.0-src.tar.gz"; sha256 = fake "rustc-1.82.0-src"; };
    buildInputs = [ (getDev openssl) (getDev zlib) ];
  };
  python3 = mkDerivation {
    pname = "python3";
    version = "3.12.7";
    src = fetchurl { url = "https://www.python.org/ftp/python/3.12.7/Python-3.12.7.tar.xz"; hash = "sha256-JLVzmZLa0ZuSvKBLQMVeGgebG0G2rp6fvnW4FSKfJBI="; };
    outputs = [ "out" "dev" ];
    buildInputs = [ (getDev openssl) (getDev zlib) ];
  };
  pkgConfig = mkDerivation {
    pname = "pkg-config";
    version = "0.29.2";
    src = fetchurl { url = "https://pkg-config.freedesktop.org/releases/pkg-config-0.29.2.tar.gz"; sha256 = fake "pkg-config-0.29.2"; };
  };
  makeWrapper = mkDerivationNoCC {
    name = "make-shell-wrapper-hook";
    buildCommand = "mkdir -p $out/nix-support; echo 'source ${toFile "make-wrapper.sh" "makeWrapper() { :; }\n"}' > $out/nix-support/setup-hook";
  };

  # ---------------------------------------------------------------------------------------------
  # Package builders on top of mkDerivation.

  buildRustPackage = { pname, version, src, cargoHash ? "", cargoSha256 ? "", nativeBuildInputs ? [ ], ... }@args:
    mkDerivation ((removeAttrs args [ "cargoHash" "cargoSha256" ]) // {
      cargoDeps = fetchCargoVendor { name = "${pname}-${version}"; inherit src; hash = cargoHash; sha256 = cargoSha256; };
      nativeBuildInputs = [ cargo ] ++ nativeBuildInputs;
      cargoBuildType = "release";
      cargoCheckType = "release";
    });

  buildGoModule = { pname, version, src, vendorHash, nativeBuildInputs ? [ ], ... }@args:
    mkDerivation ((removeAttrs args [ "vendorHash" ]) // {
      goModules = goModulesFor { name = "${pname}-${version}"; inherit src; hash = vendorHash; };
      nativeBuildInputs = [ go ] ++ nativeBuildInputs;
      GOFLAGS = "-mod=vendor -trimpath";
      CGO_ENABLED = "1";
    });

  buildPythonPackage = { pname, version, nativeBuildInputs ? [ ], ... }@args:
    mkDerivation (args // {
      name = "python3.12-${pname}-${version}";
      nativeBuildInputs = [ python3 ] ++ nativeBuildInputs;
      pypaBuildFlags = [ ];
      dontWrapPythonPrograms = false;
    });

  wrapProgram = pkg: mkDerivation {
    name = "${pkg.name}-wrapped";
    nativeBuildInputs = [ makeWrapper ];
    buildCommand = ''
      mkdir -p $out/bin
      for prog in ${pkg}/bin/*; do
        makeWrapper "$prog" "$out/bin/$(basename "$prog")" --prefix PATH : "${pkg}/bin"
      done
    '';
  };

  min = a: b: if a < b then a else b;

  # Aggregates (like Hydra's release constituents) so a whole set has one root.
  aggregate = name: constituents: derivation {
    inherit name system constituents;
    builder = "/bin/sh";
    args = [ "-c" "echo $constituents > $out" ];
    preferLocalBuild = true;
  };
  chunksOf = n: l:
    let len = length l; in
    genList (i: genList (j: elemAt l (i * n + j)) (min n (len - i * n))) ((len + n - 1) / n);
  aggregateAll = name: pkgs:
    let groups = chunksOf 256 (map (a: pkgs.${a}) (attrNames pkgs)); in
    aggregate name (genList (i: aggregate "${name}-part${toString i}" (elemAt groups i)) (length groups));
in
{
  inherit fake getDev fetchurlBoot fetchurl fetchzip fetchFromGitHub fetchFromGitLab fetchpatch fetchgit
    mkDerivation mkDerivationNoCC buildRustPackage buildGoModule buildPythonPackage wrapProgram aggregateAll;
  # The shared base, as top-level attributes of the set.
  base = {
    inherit bootstrapTools stdenv stdenvNoCC bash coreutils gcc glibc binutils zlib openssl curl cacert unzip git go cargo python3 makeWrapper;
    "mirrors-list" = mirrorsFile;
    "nix-prefetch-git" = nixPrefetchGit;
    "pkg-config" = pkgConfig;
  };
}
