using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Vigil.E2E.Tests.Attacks;
using Vigil.E2E.Tests.NarInfo;
using Vigil.E2E.Tests.Scanning;
using Vigil.E2E.Tests.Support;

namespace Vigil.E2E.Tests.Verification;

/// <summary>
/// <c>vigil scan</c> of a test's expression and <c>vigil verify --json</c> as users run them
/// (through <see cref="CliRunner"/>), with the JSON read back.
/// </summary>
internal static class VerifyCli
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>One element of <c>vigil verify --json</c>.</summary>
    public sealed record Result(string DrvPath, string OutputPath, string Status, string Expected, string? Actual, string Method, string? Url, string? Detail);

    /// <summary>One <c>verify</c> run: exit code, results, and everything needed to explain a failure.</summary>
    public sealed record Run(int ExitCode, List<Result> Results, string Stdout, string Stderr, string Command, TimeSpan Elapsed)
    {
        public string Explain() => string.Create(CultureInfo.InvariantCulture,
            $"vigil {Command}\nexit {ExitCode} after {Elapsed.TotalSeconds:F1} s\nstdout: {Stdout}\nstderr: {Stderr}");

        /// <summary>The one result whose output path ends with <paramref name="name"/> (fetchurl names outputs after the URL's file).</summary>
        public Result Of(string name)
        {
            var matches = Results.Where(r => r.OutputPath.EndsWith("-" + name, StringComparison.Ordinal)).ToList();
            Xunit.Assert.True(matches.Count == 1, $"{matches.Count} results for '{name}'\n" + Explain());
            return matches[0];
        }

        /// <summary>Asserts the result of <paramref name="name"/> has <paramref name="status"/> and, if given, a detail containing <paramref name="detail"/>.</summary>
        public Result Expect(string name, string status, string? detail = null)
        {
            var r = Of(name);
            Xunit.Assert.True(r.Status == status, $"{name}: expected {status}, got {r.Status} ({r.Detail})\n" + Explain());
            if (detail is not null)
            {
                Xunit.Assert.True(r.Detail?.Contains(detail, StringComparison.OrdinalIgnoreCase) == true, $"{name}: the detail should say '{detail}': {r.Detail}\n" + Explain());
            }
            return r;
        }
    }

    /// <summary>Scans <paramref name="file"/> into <paramref name="db"/> as <paramref name="revision"/>; returns its FODs.</summary>
    public static async Task<List<ScanCli.Fod>> ScanAsync(NixCommand store, string db, string file, string revision)
    {
        await ScanCli.ScanAsync(file, "--store", store.StoreUri, "--db", db, "--revision", revision);
        return await ScanCli.FodsAsync(db, revision);
    }

    /// <summary><c>vigil verify --db DB ARGS --json</c>; the output must be a JSON list whatever the exit code (but 2).</summary>
    public static async Task<Run> VerifyAsync(string db, params string[] args)
    {
        string[] all = ["verify", "--db", db, .. args, "--json"];
        var clock = Stopwatch.StartNew();
        var result = await CliRunner.RunAsync(all);
        var run = new Run(result.ExitCode, [], result.StdoutText, result.Stderr, string.Join(' ', all), clock.Elapsed);
        try
        {
            return run with { Results = JsonSerializer.Deserialize<List<Result>>(result.Stdout, Json) ?? [] };
        }
        catch (JsonException e)
        {
            Assert.Fail($"verify printed no valid JSON ({e.Message})\n" + run.Explain());
            throw;
        }
    }
}
