using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Vigil.E2E.Tests.Support;

namespace Vigil.E2E.Tests.Scanning;

/// <summary>
/// <c>vigil scan</c>, <c>vigil fods</c> and <c>vigil revisions</c> as users run them, through
/// <see cref="CliRunner"/> (also as a process that can be killed); their
/// JSON read back into the records below.
/// </summary>
public static partial class ScanCli
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public sealed record Revision(long Id, string Name, string Target, DateTimeOffset ScannedAt, int RootCount, int FodCount, int EvalErrorCount);

    public sealed record Error(string Attr, string Message);

    public sealed record Unresolved(string Attr, string DrvPath);

    public sealed record Scan(Revision Revision, int DrvsInClosure, int DrvsRead, int DrvsKnown, double Seconds, List<Error> Errors, List<Unresolved> Unresolved)
    {
        /// <summary>The derivations a read-only scan reports it could not enter (its "not entered: …" errors and unresolved list).</summary>
        public IEnumerable<string> NotEntered() =>
            Errors.Select(e => NotEnteredPattern().Match(e.Message)).Where(m => m.Success).Select(m => m.Groups[1].Value)
                .Concat(Unresolved.Select(u => u.DrvPath))
                .Distinct(StringComparer.Ordinal);
    }

    public sealed record Fod(
        string DrvPath, string OutputPath, string Name, string HashAlgo, string HashMode, string Hash, string OriginalHash,
        List<string> Urls, string? Rev, string Fetcher, string RecipeHash, List<string> Attrs, int AttrCount)
    {
        /// <summary>The same line as <see cref="ExpectedFod.Render"/>.</summary>
        public string Render() => $"{DrvPath} {OutputPath} {HashAlgo} {HashMode} {Hash}";
    }

    /// <summary>Runs <c>vigil scan ARGS --json</c> in-process; it must succeed.</summary>
    public static async Task<Scan> ScanAsync(params string[] args)
    {
        var result = await CliRunner.RunAsync(["scan", .. args, "--json"]);
        Assert.True(result.ExitCode == 0, $"vigil scan {string.Join(' ', args)} exited {result.ExitCode}: {result.Stderr}");
        return JsonSerializer.Deserialize<Scan>(result.Stdout, Json)!;
    }

    /// <summary>The FODs of a revision (default: the newest) as <c>vigil fods --json</c> prints them.</summary>
    public static async Task<List<Fod>> FodsAsync(string db, string? revision = null)
    {
        var result = await FodsJsonAsync(db, revision);
        return JsonSerializer.Deserialize<List<Fod>>(result, Json)!;
    }

    /// <summary>The raw bytes of <c>vigil fods --json</c>.</summary>
    public static async Task<byte[]> FodsJsonAsync(string db, string? revision = null)
    {
        var result = await CliRunner.RunAsync(revision is null ? ["fods", "--db", db, "--json"] : ["fods", "--db", db, "--revision", revision, "--json"]);
        Assert.True(result.ExitCode == 0, $"vigil fods exited {result.ExitCode}: {result.Stderr}");
        return result.Stdout;
    }

    public static async Task<List<Revision>> RevisionsAsync(string db)
    {
        var result = await CliRunner.RunAsync("revisions", "--db", db, "--json");
        Assert.True(result.ExitCode == 0, $"vigil revisions exited {result.ExitCode}: {result.Stderr}");
        return JsonSerializer.Deserialize<List<Revision>>(result.Stdout, Json)!;
    }

    /// <summary>Starts <c>vigil</c> (through the launcher, as users run it) as its own process.</summary>
    public static Process Start(params string[] args) => CliRunner.Start(args);

    [GeneratedRegex(@"^not entered: (/nix/store/\S+\.drv) ")]
    private static partial Regex NotEnteredPattern();
}
