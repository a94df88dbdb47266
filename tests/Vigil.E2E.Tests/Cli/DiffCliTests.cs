using System.Text.Json;
using Vigil.E2E.Tests.Scanning;
using Vigil.E2E.Tests.Support;
using static Vigil.E2E.Tests.Evaluation.NixTestEnvironment;

namespace Vigil.E2E.Tests.Cli;

/// <summary>
/// The contract of <c>vigil check-pr</c> and <c>vigil diff</c> on a small package set instantiated
/// by real Nix (nothing is built: these FODs only need their drvs): exit codes by <c>--fail-on</c>,
/// every output format, and bad input. The real attacks, built and reproduced, are in Attacks/.
/// </summary>
public sealed class DiffCliTests : IDisposable
{
    private readonly ScanWorkspace work = new();

    // Three sources fetched with builtin:fetchurl; the head of each test edits them.
    private static string PackageSet(string a, string b, string extra = "") => $$"""
        let
          src = name: url: hash: derivation {
            inherit name url; system = "x86_64-linux"; builder = "builtin:fetchurl";
            outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = hash;
          };
          pkg = pname: source: derivation { name = pname; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "echo ${source} > $out" ]; };
        in {
          alpha = pkg "alpha" {{a}};
          beta = pkg "beta" {{b}};
          {{extra}}
        }
        """;

    private const string AlphaOld = """(src "alpha-1.0.tar.gz" "http://alpha.example/alpha-1.0.tar.gz" "0000000000000000000000000000000000000000000000000000000000000001")""";
    private const string BetaOld = """(src "beta-2.0.tar.gz" "http://beta.example/beta-2.0.tar.gz" "0000000000000000000000000000000000000000000000000000000000000002")""";

    private async Task<(string Base, string Head, string Store, string Db)> SetUpAsync(string head)
    {
        var baseFile = work.NewPath("base.nix");
        var headFile = work.NewPath("head.nix");
        await File.WriteAllTextAsync(baseFile, PackageSet(AlphaOld, BetaOld));
        await File.WriteAllTextAsync(headFile, head);
        return (baseFile, headFile, work.NewStoreRoot(), work.NewSqliteDb());
    }

    private static Task<CliRunner.Result> CheckPrAsync((string Base, string Head, string Store, string Db) s, params string[] extra) =>
        CliRunner.RunAsync(["check-pr", "--base", s.Base, "--head", s.Head, "--store", StoreUri(s.Store), "--db", s.Db, .. extra]);

    // The sources are named only inside the packages' build strings: with --write-drvs needed the
    // read-only walk cannot enter them, and the check must still find them from their files.
    [Theory]
    [InlineData]
    [InlineData("--write-drvs", "needed")]
    public async Task A_stale_hash_fails_the_check_and_every_format_reports_it(params string[] writeDrvs)
    {
        Assert.SkipWhen(!NixAvailable, "nix is not installed");
        // alpha: new URL, same name and hash (the silent reuse); beta: an honest bump; gamma: new.
        var head = PackageSet(
            AlphaOld.Replace("http://alpha.example/alpha-1.0.tar.gz", "http://alpha.example/alpha-1.1.tar.gz", StringComparison.Ordinal),
            """(src "beta-2.1.tar.gz" "http://beta.example/beta-2.1.tar.gz" "00000000000000000000000000000000000000000000000000000000000000b2")""",
            """gamma = pkg "gamma" (src "gamma-0.1.zip" "http://gamma.example/gamma-0.1.zip" "00000000000000000000000000000000000000000000000000000000000000c3");""");
        var s = await SetUpAsync(head);

        var json = await CheckPrAsync(s, ["--format", "json", .. writeDrvs]);

        Assert.True(json.ExitCode == 1, json.Stderr);
        var root = JsonDocument.Parse(json.Stdout).RootElement;
        Assert.Equal(("pr-base", "pr-head"), (root.GetProperty("base").GetString(), root.GetProperty("head").GetString()));
        Assert.Equal(["gamma-0.1.zip"], root.GetProperty("added").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        Assert.Empty(root.GetProperty("removed").EnumerateArray());
        Assert.Equal(2, root.GetProperty("changed").GetArrayLength());
        var findings = root.GetProperty("findings").EnumerateArray()
            .Select(f => (Kind: f.GetProperty("kind").GetString(), Severity: f.GetProperty("severity").GetString(), Attr: f.GetProperty("attrs")[0].GetString()))
            .ToList();
        Assert.Equal(("hash-unchanged-on-version-bump", "error", "alpha"), findings[0]);
        Assert.Equal(["alpha", "beta", "gamma"], findings.Where(f => f.Kind == "changed-fod-unverified").Select(f => f.Attr).Order(StringComparer.Ordinal));
        Assert.Equal(4, findings.Count);

        // The stored revisions are diffed again without scanning, in every format.
        var text = await CliRunner.RunAsync("diff", "pr-base", "pr-head", "--db", s.Db, "--store", StoreUri(s.Store));
        Assert.Equal(1, text.ExitCode);
        Assert.Contains("error[hash-unchanged-on-version-bump] alpha", text.StdoutText, StringComparison.Ordinal);
        var sarif = await CliRunner.RunAsync("diff", "pr-base", "pr-head", "--db", s.Db, "--format", "sarif", "--fail-on", "never");
        Assert.Equal(0, sarif.ExitCode);
        var run = JsonDocument.Parse(sarif.Stdout).RootElement.GetProperty("runs")[0];
        Assert.Equal(4, run.GetProperty("results").GetArrayLength());
        Assert.Equal("error", run.GetProperty("results")[0].GetProperty("level").GetString());
        var github = await CliRunner.RunAsync("diff", "pr-base", "pr-head", "--db", s.Db, "--format", "github", "--fail-on", "error");
        Assert.Equal(1, github.ExitCode);
        Assert.StartsWith("::error file=", github.StdoutText, StringComparison.Ordinal);
        Assert.Equal(3, github.StdoutText.Split('\n').Count(l => l.StartsWith("::notice ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Honest_bumps_pass_with_notes_only()
    {
        Assert.SkipWhen(!NixAvailable, "nix is not installed");
        var head = PackageSet(
            """(src "alpha-1.1.tar.gz" "http://alpha.example/alpha-1.1.tar.gz" "00000000000000000000000000000000000000000000000000000000000000a1")""",
            BetaOld);
        var s = await SetUpAsync(head);

        var result = await CheckPrAsync(s, "--format", "json");
        var strict = await CliRunner.RunAsync("diff", "pr-base", "pr-head", "--db", s.Db, "--fail-on", "note");

        Assert.True(result.ExitCode == 0, result.Stderr + result.StdoutText);
        var findings = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("findings");
        Assert.Equal("note", Assert.Single(findings.EnumerateArray()).GetProperty("severity").GetString());
        Assert.Equal(1, strict.ExitCode);
    }

    [Fact]
    public async Task Bad_input_exits_2_with_one_line_naming_it()
    {
        var db = work.NewSqliteDb();

        var unknown = await CliRunner.RunAsync("diff", "main", "pr", "--db", db);
        var missingTarget = await CliRunner.RunAsync("check-pr", "--base", work.NewPath("nope.nix"), "--head", work.NewPath("nope2.nix"), "--db", db);
        var badFormat = await CliRunner.RunAsync("diff", "a", "b", "--db", db, "--format", "xml");
        var badCache = await CliRunner.RunAsync("diff", "a", "b", "--db", db, "--substituter", "ftp://cache.example");

        Assert.Equal((2, true), (unknown.ExitCode, unknown.Stderr.Contains("'main'", StringComparison.Ordinal)));
        Assert.Equal((2, true), (missingTarget.ExitCode, missingTarget.Stderr.Contains("nope.nix", StringComparison.Ordinal)));
        Assert.Equal(2, badFormat.ExitCode);
        Assert.Equal((2, true), (badCache.ExitCode, badCache.Stderr.Contains("ftp://cache.example", StringComparison.Ordinal)));
    }

    public void Dispose() => work.Dispose();
}
