#!/usr/bin/env python3
"""Writes a nixpkgs-shaped package set as one self-contained Nix file.

    bench/pkgset/generate.py [--packages N] [--seed S] [--aggregate ATTR] [-o FILE]

The file is prelude.nix (bootstrap chain, stdenv, tools, mirrors-list, fetchers modelled on
nixpkgs) followed by N generated packages: C libraries with out/dev/lib outputs depending on
each other in a DAG, applications, Python, Rust (cargo vendor FOD) and Go (go-modules FOD)
packages, sources fetched with builtin:fetchurl, fetchurl (mirror:// URLs), fetchzip,
fetchFromGitHub/GitLab, fetchgit and fetchpatch, hashes spelled in every way Nix accepts
(SRI, nix32, base16, prefixed; md5/sha1/sha256/sha512), a few structured-attrs derivations and
a few pairs of FODs with different recipes but the same output path. Hashes are fake: nothing is
meant to be built, only instantiated.

The output depends only on --packages, --seed and --aggregate (a private PRNG, no Python
`random`), so a given command always writes the same bytes. With --aggregate the set also gets
that attribute: one derivation depending on every package (through groups of 256), a single root
for whole-closure commands. The default N gives a closure of more than 40,000 derivations, about
55% of them fixed-output.
"""

import argparse
import base64
import hashlib
import os
import sys

NIX32_ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz"
MASK64 = (1 << 64) - 1
DIGEST_BYTES = {"md5": 16, "sha1": 20, "sha256": 32, "sha512": 64}

# Attribute names the prelude already defines (generate.py must not shadow them).
BASE_NAMES = {
    "bootstrapTools", "stdenv", "stdenvNoCC", "bash", "coreutils", "gcc", "glibc", "binutils",
    "zlib", "openssl", "curl", "cacert", "unzip", "git", "go", "cargo", "python3", "makeWrapper",
    "mirrors-list", "nix-prefetch-git", "pkg-config",
}


def nix32(data: bytes) -> str:
    """Nix's base-32: the bytes as a little-endian integer, most significant digit first."""
    n = len(data)
    out = []
    for k in range((n * 8 - 1) // 5, -1, -1):
        bit = 5 * k
        i, j = divmod(bit, 8)
        c = data[i] >> j
        if i + 1 < n:
            c |= data[i + 1] << (8 - j)
        out.append(NIX32_ALPHABET[c & 31])
    return "".join(out)


def sri(algo: str, data: bytes) -> str:
    return algo + "-" + base64.b64encode(data).decode()


def nix_string(s: str) -> str:
    """A Nix double-quoted string literal denoting exactly s (no interpolation)."""
    s = s.replace("\\", "\\\\").replace('"', '\\"').replace("${", "\\${")
    s = s.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    return '"' + s + '"'


class Rng:
    """splitmix64: small, fast, and the same on every Python version."""

    def __init__(self, seed: int):
        self.state = seed & MASK64

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def below(self, n: int) -> int:
        return self.next() % n

    def unit(self) -> float:
        return (self.next() >> 11) / float(1 << 53)

    def chance(self, p: float) -> bool:
        return self.unit() < p

    def pick(self, seq):
        return seq[self.below(len(seq))]

    def weighted(self, table):
        total = sum(w for _, w in table)
        x = self.unit() * total
        for value, w in table:
            x -= w
            if x < 0:
                return value
        return table[-1][0]


SYLLABLES = [
    "ab", "ar", "ba", "bel", "bi", "cal", "co", "cry", "da", "del", "do", "el", "en", "fa", "fi",
    "flo", "ga", "gi", "glo", "ha", "he", "ix", "ja", "jo", "ka", "ki", "la", "li", "lo", "lu",
    "ma", "me", "mi", "mo", "na", "ne", "ni", "no", "nu", "om", "pa", "pe", "pi", "po", "qua",
    "ra", "re", "ri", "ro", "ru", "sa", "se", "si", "so", "su", "ta", "te", "ti", "to", "tu",
    "ul", "va", "ve", "vi", "vo", "wa", "we", "xi", "ya", "yo", "za", "ze", "zi", "zo", "zu",
]
WORDS = [
    "archive", "audio", "bench", "cache", "codec", "compress", "config", "crypt", "daemon", "db",
    "diff", "dns", "edit", "font", "fs", "geo", "gfx", "graph", "http", "image", "input", "json",
    "kit", "lang", "log", "mail", "math", "media", "mesh", "net", "parse", "pdf", "proxy", "queue",
    "regex", "render", "rpc", "scan", "shell", "sql", "ssh", "stream", "sync", "term", "test",
    "text", "time", "tls", "udev", "usb", "util", "video", "view", "wave", "web", "xml", "yaml", "zip",
]
ORGS = [
    "acme-labs", "bitforge", "cloudlayer", "deltaworks", "eventide", "fluxcore", "gridline",
    "hexagon-oss", "ironbark", "jetstream", "kestrel-dev", "lumen-project", "mosaic-org",
    "nimbus-io", "orbital", "pinecone-hq", "quasar-tools", "redshift-co", "silverline", "tundra",
]
GIT_HOSTS = ["https://git.savannah.gnu.org/git", "https://git.kernel.org/pub/scm/libs",
             "https://gitlab.freedesktop.org", "https://codeberg.org", "https://git.sr.ht/~maint"]
PATCH_TOPICS = ["fix-build-with-gcc14", "CVE-2024-{n}", "musl-compat", "fix-cross-compilation",
                "pkg-config-fix", "darwin-build", "reproducible-build", "fix-tests", "CVE-2025-{n}"]
SNIPPETS = [
    'substituteInPlace Makefile --replace-fail "/usr/local" "$out"',
    "sed -i 's|/bin/sh|${runtimeShell}|' configure\npatchShebangs --build scripts",
    'export NIX_CFLAGS_COMPILE="$NIX_CFLAGS_COMPILE -Wno-error=implicit-function-declaration"',
    "install -Dm644 LICENSE -t \"$out/share/licenses/{pname}\"\nmkdir -p $out/share/doc\n\tcp -r doc/* $out/share/doc/",
    "printf '%s\\n' \"built $(date -u +%F)\" > $out/BUILD-INFO\necho \"quote \\\" backslash \\\\ done\"",
    "for f in $out/bin/*; do\n\twrapProgram \"$f\" --set {upper}_HOME \"$out/share/{pname}\"\ndone",
    "rm -rf $out/share/info\nln -s $out/lib/lib{pname}.so.{major} $out/lib/lib{pname}.so",
    "moveToOutput \"bin/*-config\" \"$dev\"\r\nmoveToOutput share/man \"$man\"",
]
DESCRIPTIONS = [
    "Small, fast and portable — written in C",
    "Bibliothèque de traitement du signal (façade générique)",
    "Tiny “batteries-included” toolkit ✓",
    "高速なパーサ / fast parser",
]

KINDS = [("gnu", 20), ("tarball", 14), ("github", 22), ("gitlab", 4), ("git", 7), ("rust", 8),
         ("go", 7), ("python", 12), ("boot", 6)]
LIB_SHARE = {"gnu": 0.45, "tarball": 0.45, "github": 0.40, "gitlab": 0.40, "git": 0.40, "boot": 0.45}
# "out" always first: nix-instantiate prints DRV!OUTPUT for a set attribute whose first output is
# another one, and the set is meant to be fed to commands that take plain .drv paths.
LIB_OUTPUTS = [(["out", "dev"], 45), (["out", "lib", "dev"], 25), (["out", "bin", "dev", "man"], 15),
               (["out", "dev", "doc"], 15)]
DEP_COUNTS = [0, 0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 11]


# The first packages of every set show each rare shape once, so that even a 50-package set has
# them all: (kind, feature) with feature one of the hooks below.
SHOWCASE = [("gnu", "twin-srcs"), ("boot", "md5"), ("tarball", "sha1"), ("github", "sha512"),
            ("gnu", "structured"), ("github", "sha1"), ("tarball", "sha512"), ("rust", None), ("go", None),
            ("git", None), ("gitlab", None), ("python", None)]


class Generator:
    def __init__(self, packages: int, seed: int):
        self.n = packages
        self.seed = seed
        self.rng = Rng(seed * 0x2545F4914F6CDD1D + 1)
        self.taken = set(BASE_NAMES)
        self.c_libs = []  # (attr, outputs) of C libraries defined so far
        self.py_libs = []  # attrs of Python libraries defined so far
        self.counter = 0
        self.feature = None  # the showcase feature of the package being generated

    def digest(self, algo: str, tag: str) -> bytes:
        self.counter += 1
        data = hashlib.sha512(f"{self.seed}:{self.counter}:{tag}".encode()).digest()
        return data[:DIGEST_BYTES[algo]]

    # ---- hash spellings ---------------------------------------------------------------------

    def hash_attrs(self, tag: str, algos=(("sha256", 93), ("sha512", 4), ("sha1", 3)), allow_md5=False,
                   sha256_only=False, digest=None):
        """Nix attribute text for a fetcher's hash, in one of the spellings nixpkgs uses."""
        algo = "sha256" if sha256_only else self.rng.weighted(list(algos) + ([("md5", 6)] if allow_md5 else []))
        if not sha256_only and digest is None and self.feature in ("md5", "sha1", "sha512"):
            algo, self.feature = self.feature, None
        data = digest if digest is not None else self.digest(algo, tag)
        if algo == "sha256":
            style = self.rng.weighted([("sri", 45), ("nix32", 30), ("hex", 10), ("sha256-sri", 5),
                                       ("hash-prefixed32", 5), ("hash-prefixed16", 3), ("prefixed32", 2)])
            value = {
                "sri": ("hash", sri("sha256", data)),
                "nix32": ("sha256", nix32(data)),
                "hex": ("sha256", data.hex()),
                "sha256-sri": ("sha256", sri("sha256", data)),
                "hash-prefixed32": ("hash", "sha256:" + nix32(data)),
                "hash-prefixed16": ("hash", "sha256:" + data.hex()),
                "prefixed32": ("sha256", "sha256:" + nix32(data)),
            }[style]
        elif algo == "sha512":
            value = self.rng.pick([("hash", sri("sha512", data)), ("sha512", data.hex()), ("sha512", nix32(data))])
        elif algo == "sha1":
            value = self.rng.pick([("sha1", data.hex()), ("sha1", nix32(data)), ("hash", sri("sha1", data))])
        else:
            value = self.rng.pick([("md5", data.hex()), ("md5", nix32(data))])
        return f"{value[0]} = {nix_string(value[1])};", (algo, data)

    # ---- names ------------------------------------------------------------------------------

    def fresh_name(self, prefix="", word_chance=0.5):
        for attempt in range(6):
            parts = [self.rng.pick(SYLLABLES) for _ in range(1 + self.rng.below(2) + (attempt > 2))]
            name = "".join(parts)
            if self.rng.chance(word_chance):
                name = name + self.rng.pick(["", "-"]) + self.rng.pick(WORDS)
            name = prefix + name
            if name not in self.taken:
                self.taken.add(name)
                return name
        name = f"{prefix}{self.rng.pick(WORDS)}{len(self.taken)}"
        self.taken.add(name)
        return name

    def version(self):
        major = self.rng.weighted([(0, 30), (1, 35), (2, 20), (3, 10), (4 + self.rng.below(20), 5)])
        parts = [str(major), str(self.rng.below(30))]
        if self.rng.chance(0.6):
            parts.append(str(self.rng.below(12)))
        return ".".join(parts)

    def rev(self):
        return self.digest("sha1", "rev").hex()

    # ---- dependencies -----------------------------------------------------------------------

    def pick_deps(self, pool, count):
        """Distinct entries, biased towards the first (older, more popular) ones, as in nixpkgs."""
        chosen = []
        for _ in range(count):
            if not pool:
                break
            u = self.rng.unit()
            item = pool[int(len(pool) * u * u)]
            if item not in chosen:
                chosen.append(item)
        return chosen

    def c_dep_refs(self, count):
        refs = []
        for attr, outputs in self.pick_deps(self.c_libs, count):
            ref = f'pkgs.{nix_string(attr)}'
            if "lib" in outputs and self.rng.chance(0.3):
                refs.append(f"{ref}.lib")
            elif self.rng.chance(0.85):
                refs.append(f"(getDev {ref})")
            else:
                refs.append(ref)
        return refs

    # ---- sources ----------------------------------------------------------------------------

    def fetch_url_src(self, kind, pname, version):
        ext = self.rng.pick(["tar.gz", "tar.xz", "tar.bz2", "tar.gz", "tar.xz", "zip"])
        file = f"{pname}-{version}.{ext}"
        if kind == "gnu":
            site = self.rng.weighted([("gnu", 70), ("savannah", 10), ("sourceforge", 10), ("kernel", 5), ("sourceware", 5)])
            primary = f"mirror://{site}/{pname}/{file}"
            urls = [primary]
            if self.rng.chance(0.15):
                urls.append(f"https://download.{pname}.org/releases/{file}")
        else:
            host = self.rng.pick(["https://releases.{p}.org/", "https://www.{p}.net/download/", "https://{p}.io/dist/",
                                  "https://downloads.{p}.dev/v{v}/", "https://github.com/{o}/{p}/releases/download/v{v}/"])
            primary = host.format(p=pname, v=version, o=self.rng.pick(ORGS)) + file
            urls = [primary]
            if self.rng.chance(0.2):
                urls.append(f"mirror://{self.rng.pick(['sourceforge', 'debian', 'apache', 'gnome', 'kde', 'xorg'])}/{pname}/{file}")
        hash_text, digest = self.hash_attrs(f"{pname}-{version}")
        if len(urls) == 1 and self.rng.chance(0.7):
            url_text = f"url = {nix_string(urls[0])};"
        else:
            url_text = "urls = [ " + " ".join(nix_string(u) for u in urls) + " ];"
        return f"fetchurl {{ {url_text} {hash_text} }}", (url_text, hash_text, digest, file)

    def github_src(self, pname, version, use_tag):
        owner = self.rng.pick(ORGS)
        rev_text = f'tag = "v${{version}}";' if use_tag else f'rev = "{self.rev()}";'
        hash_text, _ = self.hash_attrs(f"gh-{pname}", algos=(("sha256", 97), ("sha512", 2), ("sha1", 1)))
        return f'fetchFromGitHub {{ owner = "{owner}"; repo = "{pname}"; {rev_text} {hash_text} }}'

    def source(self, kind, pname, version):
        """Returns (nix expression of src, extra attributes text lines)."""
        extra = []
        if kind in ("gnu", "tarball"):
            expr, (url_text, hash_text, digest, file) = self.fetch_url_src(kind, pname, version)
            if self.rng.chance(0.03) or self.feature == "twin-srcs":
                # Same file through another URL: another drv, the same output path, both inputs.
                algo, data = digest
                other, _ = self.hash_attrs(file, algos=((algo, 1),), digest=data)
                alt = f"https://ftp.{pname}.org/pub/{file}"
                return f"[ ({expr}) (fetchurl {{ url = {nix_string(alt)}; {other} }}) ]", ["srcs"]
            return expr, []
        if kind in ("github", "rust", "go"):
            return self.github_src(pname, version, use_tag=self.rng.chance(0.5)), []
        if kind == "gitlab":
            owner = self.rng.pick(ORGS)
            hash_text, _ = self.hash_attrs(f"gl-{pname}", sha256_only=True)
            domain = self.rng.pick(['', 'domain = "gitlab.gnome.org"; ', 'domain = "invent.kde.org"; '])
            return f'fetchFromGitLab {{ {domain}owner = "{owner}"; repo = "{pname}"; rev = "v${{version}}"; {hash_text} }}', []
        if kind == "git":
            host = self.rng.pick(GIT_HOSTS)
            hash_text, _ = self.hash_attrs(f"git-{pname}", sha256_only=True)
            opts = ""
            if self.rng.chance(0.2):
                opts += " fetchSubmodules = false;"
            if self.rng.chance(0.1):
                opts += " leaveDotGit = true; deepClone = true;"
            if self.rng.chance(0.05):
                opts += ' sparseCheckout = [ "src" "include" ];'
            return f'fetchgit {{ url = "{host}/{pname}.git"; rev = "{self.rev()}";{opts} {hash_text} }}', []
        if kind == "python":
            ext = self.rng.pick(["tar.gz", "tar.gz", "zip"])
            url = f"mirror://pypi/{pname[0]}/{pname}/{pname}-{version}.{ext}"
            hash_text, _ = self.hash_attrs(f"py-{pname}", algos=(("sha256", 1),))
            return f"fetchurl {{ url = {nix_string(url)}; {hash_text} }}", []
        # boot: Nix's own builtin:fetchurl, as `import <nix/fetchurl.nix>`.
        ext = self.rng.pick(["tar.gz", "tar.xz", "tgz"])
        url = f"https://{self.rng.pick(['ftp', 'dl', 'files'])}.{pname}.org/{pname}-{version}.{ext}"
        hash_text, _ = self.hash_attrs(f"boot-{pname}", allow_md5=True)
        opts = " unpack = true; name = \"source\";" if self.rng.chance(0.3) and "md5" not in hash_text else ""
        return f"fetchurlBoot {{ url = {nix_string(url)}; {hash_text}{opts} }}", []

    def patches(self, pname):
        items = []
        for _ in range(1 + (self.rng.chance(0.35))):
            topic = self.rng.pick(PATCH_TOPICS).format(n=1000 + self.rng.below(50000))
            hash_text, _ = self.hash_attrs(f"patch-{pname}-{topic}", sha256_only=True)
            if self.rng.chance(0.5):
                url = f"https://github.com/{self.rng.pick(ORGS)}/{pname}/commit/{self.rev()}.patch"
                items.append(f'(fetchpatch {{ name = "{topic}.patch"; url = {nix_string(url)}; {hash_text} }})')
            else:
                url = f"https://sources.debian.org/data/main/{pname[0]}/{pname}/debian/patches/{topic}.patch"
                items.append(f"(fetchpatch {{ url = {nix_string(url)}; {hash_text} }})")
        return items

    # ---- packages ---------------------------------------------------------------------------

    def package(self, index):
        kind = self.rng.weighted(KINDS)
        self.feature = None
        if index < len(SHOWCASE):
            kind, self.feature = SHOWCASE[index]
        is_lib = kind in LIB_SHARE and self.rng.chance(LIB_SHARE[kind])
        if kind == "python":
            pname = self.fresh_name(word_chance=0.6)
            attr = f"python3.12-{pname}"
            is_lib = self.rng.chance(0.7)
        else:
            pname = self.fresh_name(prefix="lib" if is_lib and self.rng.chance(0.5) else "")
            attr = pname
        version = self.version() if kind != "git" else f"0-unstable-2024-{1 + self.rng.below(12):02d}-{1 + self.rng.below(28):02d}"
        builder = {"rust": "buildRustPackage", "go": "buildGoModule", "python": "buildPythonPackage"}.get(kind, "mkDerivation")
        src, src_attr = self.source(kind, pname, version)
        lines = [f"pname = {nix_string(pname)};", f"version = {nix_string(version)};",
                 f"{(src_attr or ['src'])[0]} = {src};"]
        outputs = ["out"]
        if is_lib and kind != "python":
            outputs = self.rng.weighted(LIB_OUTPUTS)
            lines.append("outputs = [ " + " ".join(f'"{o}"' for o in outputs) + " ];")
        if kind == "rust":
            hash_text, _ = self.hash_attrs(f"cargo-{pname}", sha256_only=True)
            # cargoHash (SRI or prefixed) or the legacy cargoSha256 (any spelling).
            lines.append(("cargoHash" if hash_text.startswith("hash =") else "cargoSha256") + hash_text[hash_text.index(" ="):])
        if kind == "go":
            data = self.digest("sha256", f"go-{pname}")
            value = sri("sha256", data) if self.rng.chance(0.8) else nix32(data)
            lines.append(f"vendorHash = {nix_string(value)};")

        count = self.rng.pick(DEP_COUNTS)
        if kind == "python":
            py = [f'pkgs.{nix_string(a)}' for a in self.pick_deps(self.py_libs, count)]
            c = self.c_dep_refs(self.rng.below(3))
            if py:
                lines.append("propagatedBuildInputs = [ " + " ".join(py) + " ];")
            if c:
                lines.append("buildInputs = [ " + " ".join(c) + " ];")
        else:
            refs = self.c_dep_refs(count)
            if refs:
                if is_lib and len(refs) > 1 and self.rng.chance(0.25):
                    lines.append("propagatedBuildInputs = [ " + refs[0] + " ];")
                    refs = refs[1:]
                lines.append("buildInputs = [ " + " ".join(refs) + " ];")
            native = []
            if self.rng.chance(0.5):
                native.append('pkgs."pkg-config"')
            if self.rng.chance(0.1):
                native.append("pkgs.python3")
            if native:
                lines.append("nativeBuildInputs = [ " + " ".join(native) + " ];")
            if refs and self.rng.chance(0.15):
                lines.append(f'configureFlags = [ "--with-deps=${{{refs[0]}}}" "--enable-shared" "--disable-static" ];')
            elif self.rng.chance(0.3):
                lines.append('configureFlags = [ "--enable-shared" "--disable-static" ];')

        if kind not in ("python",) and self.rng.chance(0.12):
            lines.append("patches = [ " + " ".join(self.patches(pname)) + " ];")
        if self.rng.chance(0.04):
            url = f"https://data.{pname}.org/testdata-{version}.tar.gz"
            hash_text, _ = self.hash_attrs(f"data-{pname}", allow_md5=False)
            fetcher = "fetchurlBoot" if self.rng.chance(0.3) else "fetchurl"
            lines.append(f"testData = {fetcher} {{ url = {nix_string(url)}; {hash_text} }};")
        if self.rng.chance(0.3):
            phase = self.rng.pick(["postPatch", "preConfigure", "postInstall", "postFixup"])
            snippet = (self.rng.pick(SNIPPETS).replace("{pname}", pname)
                       .replace("{upper}", pname.upper().replace("-", "_")).replace("{major}", version.split(".")[0]))
            lines.append(f"{phase} = {nix_string(snippet)};")
        if self.rng.chance(0.03):
            lines.append(f"longDescription = {nix_string(self.rng.pick(DESCRIPTIONS))};")
        lines.append(f"doCheck = {self.rng.pick(['true', 'false', 'false'])};")
        lines.append("enableParallelBuilding = true;")
        if self.rng.chance(0.01) or self.feature == "structured":
            lines.append("__structuredAttrs = true;")
            lines.append('env = { NIX_CFLAGS_COMPILE = "-O2 -fno-strict-aliasing"; LANG = "C.UTF-8"; };')
            lines.append("outputChecks.out = { maxSize = 1048576; disallowedRequisites = [ ]; };")

        if kind == "python" and is_lib:
            self.py_libs.append(attr)
        elif is_lib:
            self.c_libs.append((attr, outputs))
        body = "\n".join("      " + line for line in lines)
        text = f"    {nix_string(attr)} = {builder} rec {{\n{body}\n    }};\n"
        if not is_lib and kind != "python" and self.rng.chance(0.12):
            wrapped = f"{attr}-wrapped"
            if wrapped not in self.taken:
                self.taken.add(wrapped)
                text += f"    {nix_string(wrapped)} = wrapProgram pkgs.{nix_string(attr)};\n"
        return text

    def write(self, out, prelude, aggregate, command):
        out.write(f"# Generated by: {command}\n")
        out.write("# A nixpkgs-shaped package set for benchmarks and demos; do not edit, regenerate.\n")
        out.write("# Nothing here is meant to be built: every hash is fake. Instantiate it with nix-instantiate.\n")
        out.write("let\n  lib =\n")
        for line in prelude.splitlines():
            out.write(("    " + line).rstrip() + "\n")
        out.write("  ;\n")
        out.write("  inherit (lib) fake getDev fetchurlBoot fetchurl fetchzip fetchFromGitHub fetchFromGitLab fetchpatch\n")
        out.write("    fetchgit mkDerivation buildRustPackage buildGoModule buildPythonPackage wrapProgram;\n")
        out.write("  pkgs = lib.base // {\n")
        for i in range(self.n):
            out.write(self.package(i))
        out.write("  };\n")
        if aggregate:
            out.write(f"in\npkgs // {{ {nix_string(aggregate)} = lib.aggregateAll {nix_string(aggregate)} pkgs; }}\n")
        else:
            out.write("in\npkgs\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packages", "-n", type=int, default=17000, help="number of generated packages (default: 17000, > 40k drvs)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--aggregate", default="", help="also add this attribute: one drv depending on every package")
    parser.add_argument("--output", "-o", default="-", help="file to write (default: stdout)")
    args = parser.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "prelude.nix"), encoding="utf-8") as f:
        prelude = f.read()
    command = f"bench/pkgset/generate.py --packages {args.packages} --seed {args.seed}"
    if args.aggregate:
        command += f" --aggregate {args.aggregate}"
    gen = Generator(args.packages, args.seed)
    if args.output == "-":
        gen.write(sys.stdout, prelude, args.aggregate, command)
    else:
        tmp = args.output + ".tmp"
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            gen.write(f, prelude, args.aggregate, command)
        os.replace(tmp, args.output)


if __name__ == "__main__":
    main()
