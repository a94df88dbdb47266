using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vigil.E2E.Tests.NarInfo;
using Vigil.E2E.Tests.Scanning;
using Vigil.E2E.Tests.Support;

namespace Vigil.E2E.Tests.Attacks;

/// <summary>
/// One attack scenario's world: a workspace (tmpfs when there is one), the HTTP server that plays
/// upstream, the attacker's host and the hashed mirror, the test's Nix expressions, any number of
/// chroot stores, and the two sides of every test: real <c>nix-build</c> (does the attack work?)
/// and <c>vigil check-pr</c> (is it caught?).
/// </summary>
internal sealed class AttackLab : IAsyncDisposable
{
    /// <summary>
    /// Options of every Nix call: no binary cache and no hashed mirror unless a test adds one (either
    /// would hide the URL change, and the unreachable default cache costs seconds), and the host's
    /// /bin, /usr and /lib in the sandbox, which chroot stores force on, for /bin/sh builders.
    /// </summary>
    public static readonly string[] IsolatedOptions =
    [
        "--option", "substituters", "",
        "--option", "hashed-mirrors", "",
        "--option", "sandbox-paths", "/bin /usr /lib /lib64",
    ];

    /// <summary>
    /// The fetchers of these tests, shaped like nixpkgs' but small enough to really build here:
    /// <c>fetchurl</c> (a flat file named after its URL, as nixpkgs names it), <c>fetchzip</c> (an
    /// unpacked tree named <c>source</c>, like fetchzip and fetchFromGitHub; builtin:fetchurl with
    /// <c>unpack</c> wants a NAR, so the server serves NARs), <c>fetchWithCurl</c> (a recursive FOD
    /// anyone can write by hand with /bin/sh and curl), and <c>package</c>, a package built from a
    /// source: it copies the source to <c>$out/share/src</c>, so its output shows what it was built from.
    /// </summary>
    private const string Library = """
        {
          fetchurl = { url, hash, name ? baseNameOf url }:
            import <nix/fetchurl.nix> { inherit url hash name; };

          fetchzip = { url, hash, name ? "source" }:
            import <nix/fetchurl.nix> { inherit url hash name; unpack = true; };

          fetchWithCurl = { url, hash, name ? "source" }: derivation {
            inherit name url;
            system = builtins.currentSystem;
            builder = "/bin/sh";
            args = [ "-c" "set -e; /bin/mkdir -p $out; /usr/bin/curl -sSf \"$url\" -o $out/payload" ];
            outputHashMode = "recursive";
            outputHashAlgo = "sha256";
            outputHash = hash;
          };

          package = name: src: derivation {
            inherit name src;
            system = builtins.currentSystem;
            builder = "/bin/sh";
            args = [ "-c" "set -e; /bin/mkdir -p $out/share; /bin/cp -r $src $out/share/src" ];
          };
        }
        """;

    private readonly ScanWorkspace workspace = new();
    private NixCommand? tools;

    public AttackLab()
    {
        Directory.CreateDirectory(Expressions);
        File.WriteAllText(Path.Combine(Expressions, "lib.nix"), Library);
    }

    public static bool NixAvailable { get; } = NixCommand.IsInstalled();

    public RecordingHttpServer Server { get; } = new();

    /// <summary>The directory of the test's expressions; they import <c>./lib.nix</c>.</summary>
    public string Expressions => Path.Combine(workspace.Root, "expr");

    /// <summary>SRI sha256 of bytes: a flat FOD's hash, or a recursive one's when the bytes are a NAR.</summary>
    public static string Sri(byte[] bytes) => "sha256-" + Convert.ToBase64String(SHA256.HashData(bytes));

    /// <summary>Lowercase base16 sha256, the form hashed mirrors file content under.</summary>
    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A fresh, empty chroot store with its own HOME.</summary>
    public NixCommand NewStore(string name)
    {
        var root = workspace.NewPath(name);
        Directory.CreateDirectory(root);
        return new NixCommand(root);
    }

    /// <summary>A fresh SQLite database file for <c>--db</c>.</summary>
    public string NewDb() => workspace.NewSqliteDb();

    /// <summary>Writes <c>{name}</c> into the expression directory; <c>@URL@</c> stands for the server's base URL.</summary>
    public string Write(string name, string text)
    {
        var path = Path.Combine(Expressions, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.Replace("@URL@", Server.Url(""), StringComparison.Ordinal));
        return path;
    }

    /// <summary>A directory tree of files under the workspace (not in any store), for NARs and <c>builtins.path</c>.</summary>
    public string WriteTree(string name, IReadOnlyDictionary<string, string> files)
    {
        var root = Path.Combine(Expressions, name);
        foreach (var (relative, content) in files)
        {
            var path = Path.Combine(root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content);
        }
        return root;
    }

    /// <summary>The NAR of a tree as Nix writes it (<c>nix-store --dump</c>), the bytes a <c>fetchzip</c> here downloads.</summary>
    public async Task<byte[]> NarAsync(string tree)
    {
        var nar = tree + ".nar";
        tools ??= NewStore("tools");
        await tools.RunAsync("/bin/sh", "-c", "nix-store --dump \"$0\" > \"$1\"", tree, nar);
        return await File.ReadAllBytesAsync(nar);
    }

    /// <summary><c>nix-build FILE [-A attr]… --no-out-link</c> in <paramref name="store"/>, isolated unless <paramref name="options"/> override.</summary>
    public static async Task<Build> BuildAsync(NixCommand store, string file, IEnumerable<string>? attrs = null, params string[] options)
    {
        var args = new List<string> { file, "--no-out-link" };
        foreach (var attr in attrs ?? [])
        {
            args.AddRange(["-A", attr]);
        }
        args.AddRange(IsolatedOptions);
        args.AddRange(options);
        var (exitCode, stdout, stderr) = await store.TryRunAsync("nix-build", [.. args]);
        return new Build(exitCode, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), stderr);
    }

    /// <summary>Builds every attribute of <paramref name="file"/>; the build must succeed.</summary>
    public static async Task<string[]> BuildAllAsync(NixCommand store, string file, params string[] options)
    {
        var build = await BuildAsync(store, file, null, options);
        Assert.True(build.ExitCode == 0, $"nix-build {file} exited {build.ExitCode}: {build.Stderr}");
        return build.Paths;
    }

    /// <summary>Like <see cref="BuildAsync"/>, and the build must succeed with exactly one output path.</summary>
    public static async Task<string> BuildOneAsync(NixCommand store, string file, string attr, params string[] options)
    {
        var build = await BuildAsync(store, file, [attr], options);
        Assert.True(build.ExitCode == 0, $"nix-build {file} -A {attr} exited {build.ExitCode}: {build.Stderr}");
        return Assert.Single(build.Paths);
    }

    /// <summary>
    /// The control experiment: in a fresh store, with nothing to reuse, the head's recipe really is
    /// fetched and Nix rejects what its URL serves (exit 102, docs/nix-behaviour.md §1.4). So the
    /// hash is wrong for the URL, and only reuse made the attacked build pass.
    /// </summary>
    public async Task AssertFreshBuildRejectsAsync(string file, string attr)
    {
        var build = await BuildAsync(NewStore("control"), file, [attr]);
        Assert.True(build.ExitCode == 102, $"a fresh build of {attr} should fail with a hash mismatch, got exit {build.ExitCode}: {build.Stderr}");
        Assert.Contains("hash mismatch in fixed-output derivation", build.Stderr, StringComparison.Ordinal);
    }

    /// <summary><c>vigil check-pr --base … --head … --store … --db … --format json</c> in-process, with its JSON read back.</summary>
    public async Task<CheckPr> CheckPrAsync(NixCommand store, string baseFile, string headFile, params string[] extra)
    {
        var db = "sqlite:" + NewDb();
        string[] args = ["check-pr", "--base", baseFile, "--head", headFile, "--store", store.StoreUri, "--db", db, "--format", "json", .. extra];
        var result = await CliRunner.RunAsync(args);
        CheckPrReport? report = null;
        if (result.Stdout.Length > 0)
        {
            try
            {
                report = JsonSerializer.Deserialize<CheckPrReport>(result.Stdout, CheckPrReport.Json);
            }
            catch (JsonException e)
            {
                Assert.Fail($"vigil {string.Join(' ', args)} printed no valid JSON ({e.Message}): {result.StdoutText}");
            }
        }
        return new CheckPr(result.ExitCode, report, result.StdoutText, result.Stderr, string.Join(' ', args));
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        workspace.Dispose();
    }

    public sealed record Build(int ExitCode, string[] Paths, string Stderr);

    /// <summary>One <c>check-pr</c> run: exit code, the report, and everything needed to explain a failure.</summary>
    public sealed record CheckPr(int ExitCode, CheckPrReport? Report, string Stdout, string Stderr, string Command)
    {
        public string Explain() => string.Create(CultureInfo.InvariantCulture, $"vigil {Command}\nexit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}");

        /// <summary>The report, which a run that did not fail on input must print.</summary>
        public CheckPrReport Parsed => Report ?? throw new Xunit.Sdk.XunitException("check-pr printed no report\n" + Explain());

        /// <summary>Asserts exit 1 and a finding of <paramref name="kind"/> on attribute <paramref name="attr"/>; returns it.</summary>
        public CheckPrReport.Finding AssertFlags(string kind, string attr)
        {
            Assert.True(ExitCode == 1, "check-pr should exit 1 on this attack\n" + Explain());
            var finding = Parsed.Findings.FirstOrDefault(f => f.Kind == kind && f.Attrs.Contains(attr));
            Assert.True(finding is not null, $"no '{kind}' finding on '{attr}'\n" + Explain());
            Assert.Contains(finding.Severity, (string[])["error", "warning"]);
            Assert.False(string.IsNullOrWhiteSpace(finding.Message), "a finding explains itself\n" + Explain());
            return finding;
        }

        /// <summary>Asserts exit 0 and nothing of severity warning or error (notes are fine).</summary>
        public void AssertClean()
        {
            var loud = Parsed.Findings.Where(f => f.Severity is "warning" or "error").ToList();
            Assert.True(loud.Count == 0, $"findings on an honest change: {string.Join(", ", loud.Select(f => $"{f.Kind} {string.Join('/', f.Attrs)}"))}\n" + Explain());
            Assert.True(ExitCode == 0, "check-pr should exit 0 on an honest change\n" + Explain());
        }
    }
}
