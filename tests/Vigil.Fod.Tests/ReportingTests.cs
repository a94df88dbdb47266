using System.Text.Json;
using Vigil.Data;
using Vigil.Fod.Detection;
using Vigil.Fod.Diff;
using Vigil.Fod.Reporting;

namespace Vigil.Fod.Tests;

public sealed class ReportingTests
{
    private static readonly StoredFod Old = Fods.Make("hello", "hello-2.12.tar.gz", "v1", "https://ftp.gnu.org/hello-2.12.tar.gz");
    private static readonly StoredFod Stale = Fods.Make("hello", "hello-2.12.tar.gz", "v1", "https://ftp.gnu.org/hello-2.13.tar.gz");
    private static readonly StoredFod Added = Fods.Make("extra", "extra-1.zip", "e", "https://x.org/extra-1.zip");

    private static FodReport Report()
    {
        var diff = FodDiffer.Compute([Old], [Stale, Added]);
        var context = new DetectionContext(diff, [Stale, Added], [], [], new Dictionary<string, Nix.Fetchers.FodRecord>());
        var findings = FodReview.Detectors.SelectMany(d => d.Detect(context)).OrderByDescending(f => f.Severity).ToList();
        var time = new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
        return new FodReport(new RevisionInfo(1, "main", "/src/nixpkgs", time, 1, 1, 0), new RevisionInfo(2, "pr-1", "/src/nixpkgs", time, 2, 2, 0), diff, findings);
    }

    private static JsonElement Render(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }
        return JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
    }

    [Fact]
    public void Json_has_the_contract_fields()
    {
        var root = Render(json => ReportJson.Write(json, Report()));

        Assert.Equal("main", root.GetProperty("base").GetString());
        Assert.Equal("pr-1", root.GetProperty("head").GetString());
        Assert.Equal(Added.Fod.DrvPath, Assert.Single(root.GetProperty("added").EnumerateArray()).GetProperty("drvPath").GetString());
        Assert.Empty(root.GetProperty("removed").EnumerateArray());
        var change = Assert.Single(root.GetProperty("changed").EnumerateArray());
        Assert.Equal(Old.Fod.HashSri, change.GetProperty("base").GetProperty("hash").GetString());
        var findings = root.GetProperty("findings").EnumerateArray().ToList();
        var error = findings[0];
        Assert.Equal("hash-unchanged-on-version-bump", error.GetProperty("kind").GetString());
        Assert.Equal("error", error.GetProperty("severity").GetString());
        Assert.Equal(["hello"], error.GetProperty("attrs").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(Stale.Fod.DrvPath, error.GetProperty("drvPath").GetString());
        Assert.Equal(Stale.Fod.OutputPath, error.GetProperty("outputPath").GetString());
        Assert.Equal(Old.Fod.DrvPath, error.GetProperty("base").GetProperty("drvPath").GetString());
        Assert.Equal(["https://ftp.gnu.org/hello-2.12.tar.gz"], error.GetProperty("base").GetProperty("recipe").GetProperty("urls").EnumerateArray().Select(u => u.GetString()));
        Assert.Equal(["https://ftp.gnu.org/hello-2.13.tar.gz"], error.GetProperty("head").GetProperty("recipe").GetProperty("urls").EnumerateArray().Select(u => u.GetString()));
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.Equal(3, findings.Count); // the error and two unverified notes
    }

    [Fact]
    public void Sarif_is_2_1_0_with_rules_results_and_locations_code_scanning_needs()
    {
        var report = Report();
        var root = Render(json => SarifReport.Write(json, report, "pkgs/default.nix", "1.2.3"));

        Assert.Equal("2.1.0", root.GetProperty("version").GetString());
        var run = Assert.Single(root.GetProperty("runs").EnumerateArray());
        var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().ToList();
        Assert.Equal(FodReview.Detectors.Select(d => d.Kind), rules.Select(r => r.GetProperty("id").GetString()));
        var results = run.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(report.Findings.Count, results.Count);
        foreach (var result in results)
        {
            var ruleIndex = result.GetProperty("ruleIndex").GetInt32();
            Assert.Equal(result.GetProperty("ruleId").GetString(), rules[ruleIndex].GetProperty("id").GetString());
            Assert.Contains(result.GetProperty("level").GetString(), new[] { "error", "warning", "note" });
            Assert.False(string.IsNullOrEmpty(result.GetProperty("message").GetProperty("text").GetString()));
            var location = Assert.Single(result.GetProperty("locations").EnumerateArray());
            Assert.Equal("pkgs/default.nix", location.GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString());
            Assert.Equal(1, location.GetProperty("physicalLocation").GetProperty("region").GetProperty("startLine").GetInt32());
            Assert.Equal(64, result.GetProperty("partialFingerprints").GetProperty("vigilFinding/v1").GetString()!.Length);
        }
    }

    [Fact]
    public void GitHub_annotations_are_one_line_each_with_the_runners_escaping()
    {
        using var text = new StringWriter();
        GitHubAnnotations.Write(text, Report(), "pkgs/a,b:c.nix");

        var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(4, lines.Length);
        Assert.StartsWith("::error file=pkgs/a%2Cb%3Ac.nix,title=vigil hash-unchanged-on-version-bump%3A hello::hello: the source changed", lines[0], StringComparison.Ordinal);
        Assert.Contains("%0A", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("::notice ", lines[1], StringComparison.Ordinal);
        Assert.Equal("100%25", GitHubAnnotations.EscapeData("100%"));
    }

    [Fact]
    public void Text_report_lists_findings_and_changes()
    {
        using var text = new StringWriter();
        TextReport.Write(text, Report());
        var output = text.ToString();

        Assert.StartsWith("main -> pr-1: 1 FODs added, 0 removed, 1 changed, 0 unchanged", output, StringComparison.Ordinal);
        Assert.Contains("error[hash-unchanged-on-version-bump] hello", output, StringComparison.Ordinal);
        Assert.Contains("1 error, 0 warnings, 2 notes", output, StringComparison.Ordinal);
    }
}
