using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Vigil.Data;
using Vigil.Vuln.Feeds;
using Vigil.Vuln.Reporting;
using Vigil.Vuln.Scanning;
using Vigil.Vuln.Triage;

namespace Vigil.Cli.Commands;

/// <summary><c>vigil vuln</c>: import vulnerability feeds, match a revision's packages, diff two revisions, triage.</summary>
internal static class VulnCommands
{
    private static readonly string[] ScanFormats = ["text", "json", "sarif"];
    private static readonly string[] DiffFormats = ["text", "json"];

    // Malformed records listed on stderr before the rest are only counted.
    private const int MalformedShown = 20;

    public static Command Build(CliContext context)
    {
        var vuln = new Command(
            "vuln",
            "Known vulnerabilities of a scanned revision's packages, from feeds imported offline (CVE JSON 5, NVD API 2.0,\n" +
            "OSV): 'import' the feeds, 'scan' a revision, 'diff' two revisions, 'triage' what is not a real problem.\n" +
            "Matching explains itself: every finding lists the fields that matched, the version range and a confidence.\n" +
            "See docs/vuln.md.");
        vuln.Subcommands.Add(BuildImport(context));
        vuln.Subcommands.Add(BuildScan(context));
        vuln.Subcommands.Add(BuildDiff(context));
        vuln.Subcommands.Add(BuildTriage(context));
        return vuln;
    }

    private static Command BuildImport(CliContext context)
    {
        var path = new Argument<string>("PATH") { Description = "A feed file (.json or .json.gz) or a directory of them, walked recursively (e.g. a cvelistV5 checkout, an OSV export, NVD 2.0 pages)." };
        var db = CommonOptions.Db();
        var json = CommonOptions.Json();
        var import = new Command(
            "import",
            "Import vulnerability records from files: CVE JSON 5 records, NVD API 2.0 pages (CPE configurations) and OSV\n" +
            "entries, recognised by their shape. Only new or changed records are written (each record's content hash is\n" +
            "kept), so importing the same tree again changes nothing. Malformed records are listed on stderr and skipped;\n" +
            "the rest are imported. Prints how many records were imported, updated, unchanged and malformed, and the rate.\n" +
            "Exit 0 imported (malformed records are warnings), 2 bad input (no such path, or nothing readable in it).")
        {
            path, db, json,
        };
        import.SetAction(async (parse, ct) =>
        {
            var source = parse.GetValue(path)!;
            if (!File.Exists(source) && !Directory.Exists(source))
            {
                throw new UsageException($"no feed file or directory at '{source}'");
            }
            await using var database = await VigilDatabase.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
            var report = await new FeedImporter(database).ImportAsync(source, null, ct).ConfigureAwait(false);
            foreach (var m in report.Malformed.Take(MalformedShown))
            {
                await context.Error.WriteLineAsync($"warning: {m.File}: {m.Error}; skipped").ConfigureAwait(false);
            }
            if (report.Malformed.Count > MalformedShown)
            {
                await context.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"warning: … and {report.Malformed.Count - MalformedShown} more malformed records ('--json' lists them all)")).ConfigureAwait(false);
            }
            if (parse.GetValue(json))
            {
                await WriteJsonAsync(context, w =>
                {
                    w.WriteStartObject();
                    w.WriteNumber("files", report.Files);
                    w.WriteNumber("imported", report.Imported);
                    w.WriteNumber("updated", report.Updated);
                    w.WriteNumber("unchanged", report.Unchanged);
                    w.WriteNumber("malformed", report.Malformed.Count);
                    w.WriteNumber("seconds", Math.Round(report.Elapsed.TotalSeconds, 3));
                    w.WriteNumber("recordsPerSecond", Math.Round(report.RecordsPerSecond));
                    w.WriteStartArray("malformedRecords");
                    foreach (var m in report.Malformed)
                    {
                        w.WriteStartObject();
                        w.WriteString("file", m.File);
                        w.WriteString("reason", m.Error);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }, ct).ConfigureAwait(false);
            }
            else
            {
                await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{report.Files} files: {report.Imported} imported, {report.Updated} updated, {report.Unchanged} unchanged, {report.Malformed.Count} malformed in {report.Elapsed.TotalSeconds:0.00} s ({report.RecordsPerSecond:0} records/s)")).ConfigureAwait(false);
            }
            return report.Records == 0 && report.Malformed.Count > 0 ? VigilApp.InputError : VigilApp.Success;
        });
        return import;
    }

    private static Option<double> MinConfidence() => new("--min-confidence")
    {
        Description = "Leave out findings less certain than this (0–1; default 0: all). Name-only matches are 0.6, a matching repository 0.95.",
        DefaultValueFactory = _ => 0,
    };

    private static Command BuildScan(CliContext context)
    {
        var revision = new Option<string?>("--revision", "-r") { Description = "The revision to scan (default: the most recently scanned)." };
        var format = new Option<string>("--format")
        {
            Description = "Output: 'text' (default), 'json' (a list of {cve, attrs, pname, version, status, confidence, evidence, summary, sources}) or 'sarif' (SARIF 2.1.0, affected findings only).",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong(ScanFormats);
        var minConfidence = MinConfidence();
        var db = CommonOptions.Db();
        var scan = new Command(
            "scan",
            "Match the packages of a scanned revision ('vigil scan' stores them) against the imported records. A package is\n" +
            "its derivation's name and version, the identities its sources give (GitHub/GitLab repository, PyPI, crates.io,\n" +
            "npm name, host) and the patches among its inputs; records match by CPE vendor/product, CVE 5 product,\n" +
            "packageName or repo, and OSV package, within their version ranges. A patch naming the CVE makes it 'patched';\n" +
            "triage rules ('vigil vuln triage') make it 'ignored', 'not-affected' or set any status.\n" +
            "Exit 0 nothing affected, 1 affected findings, 2 bad input.")
        {
            revision, format, minConfidence, db,
        };
        scan.SetAction(async (parse, ct) =>
        {
            var min = parse.GetValue(minConfidence);
            await using var database = await VigilDatabase.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
            var rev = await ScanCommands.FindRevisionAsync(database, parse.GetValue(revision), ct).ConfigureAwait(false);
            var result = Filter(await VulnScanner.ScanAsync(database, rev, TimeProvider.System, ct).ConfigureAwait(false), min);
            if (result.Records == 0)
            {
                await context.Error.WriteLineAsync($"warning: {database.Description} holds no vulnerability records; run 'vigil vuln import PATH' first").ConfigureAwait(false);
            }
            await WarnIfRootsOnlyAsync(context, result).ConfigureAwait(false);
            switch (parse.GetValue(format))
            {
                case "json":
                    await WriteJsonAsync(context, w => VulnJson.WriteFindings(w, result.Findings), ct).ConfigureAwait(false);
                    break;
                case "sarif":
                    await WriteJsonAsync(context, w => VulnSarif.Write(w, result, DiffCommands.ArtifactUri(rev.Target), DiffCommands.ToolVersion()), ct).ConfigureAwait(false);
                    break;
                default:
                    VulnText.WriteScan(context.Out, result);
                    break;
            }
            return result.Count(TriageStatus.Affected) > 0 ? VigilApp.Findings : VigilApp.Success;
        });
        return scan;
    }

    private static Command BuildDiff(CliContext context)
    {
        var baseRev = new Argument<string>("R0") { Description = "The base revision, e.g. the last release." };
        var headRev = new Argument<string>("R1") { Description = "The revision compared with it." };
        var format = new Option<string>("--format") { Description = "Output: 'text' (default) or 'json' ({base, head, new, fixed}).", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong(DiffFormats);
        var minConfidence = MinConfidence();
        var db = CommonOptions.Db();
        var diff = new Command(
            "diff",
            "What changed between two revisions against the records imported now: 'new' are vulnerabilities affecting a\n" +
            "package of R1 that did not affect it in R0 (a new package, a version bump into a range, a patch dropped),\n" +
            "'fixed' those affecting R0 and not R1. Exit 0 nothing new, 1 new findings, 2 bad input.")
        {
            baseRev, headRev, format, minConfidence, db,
        };
        diff.SetAction(async (parse, ct) =>
        {
            var min = parse.GetValue(minConfidence);
            await using var database = await VigilDatabase.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
            var a = await ScanCommands.FindRevisionAsync(database, parse.GetValue(baseRev), ct).ConfigureAwait(false);
            var b = await ScanCommands.FindRevisionAsync(database, parse.GetValue(headRev), ct).ConfigureAwait(false);
            var before = Filter(await VulnScanner.ScanAsync(database, a, TimeProvider.System, ct).ConfigureAwait(false), min);
            var after = Filter(await VulnScanner.ScanAsync(database, b, TimeProvider.System, ct).ConfigureAwait(false), min);
            await WarnIfRootsOnlyAsync(context, before).ConfigureAwait(false);
            await WarnIfRootsOnlyAsync(context, after).ConfigureAwait(false);
            var result = VulnDiff.Between(before, after);
            if (parse.GetValue(format) == "json")
            {
                await WriteJsonAsync(context, w => VulnJson.WriteDiff(w, result), ct).ConfigureAwait(false);
            }
            else
            {
                VulnText.WriteDiff(context.Out, result);
            }
            return result.New.Count > 0 ? VigilApp.Findings : VigilApp.Success;
        });
        return diff;
    }

    private static Command BuildTriage(CliContext context)
    {
        var triage = new Command(
            "triage",
            "Decisions about (CVE, package) pairs that hold across revisions: 'add' one, 'import-vulnix' a vulnix whitelist,\n" +
            "'list' them. A rule may expire ('--until'); an expired rule no longer applies and 'vuln scan' says so.");
        var cve = new Argument<string>("CVE") { Description = "The vulnerability id (CVE-…, GHSA-…), or '*' for every vulnerability of the package." };
        var pname = new Argument<string>("PNAME") { Description = "The package name as findings print it (compared normalised: case, '-'/'_'/'.'), or '*'." };
        var version = new Option<string?>("--version") { Description = "Only this version of the package (default: every version)." };
        var status = new Option<string>("--status") { Description = "ignored (default), not-affected, patched or affected.", DefaultValueFactory = _ => TriageStatus.Ignored };
        status.AcceptOnlyFromAmong([.. TriageStatus.All]);
        var reason = new Option<string>("--reason") { Description = "Why (kept with the rule and printed with every finding it decides).", Required = true };
        var until = new Option<string?>("--until") { Description = "The last day (YYYY-MM-DD, UTC) the rule holds; after it the finding comes back." };
        var issue = new Option<string?>("--issue-url") { Description = "Where the decision is discussed." };
        var db = CommonOptions.Db();
        var add = new Command("add", "Add or replace the rule for (CVE, PNAME[, --version]). Exit 0 stored, 2 bad input.")
        {
            cve, pname, version, status, reason, until, issue, db,
        };
        add.SetAction(async (parse, ct) =>
        {
            DateOnly? last = null;
            if (parse.GetValue(until) is { } text)
            {
                last = DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                    ? d
                    : throw new UsageException($"--until '{text}' is not a date YYYY-MM-DD");
            }
            var name = parse.GetValue(pname)!;
            var rule = new VulnTriageRule(
                parse.GetValue(cve)!.Trim().ToUpperInvariant(), name == "*" ? "*" : Vigil.Vuln.Inventory.PackageNames.Normalise(name), parse.GetValue(version) ?? "",
                parse.GetValue(status)!, parse.GetValue(reason)!, last, parse.GetValue(issue), "cli", TimeProvider.System.GetUtcNow());
            if (rule.Pname.Length == 0 || rule.Cve.Length == 0)
            {
                throw new UsageException("CVE and PNAME must not be empty");
            }
            await using var database = await VigilDatabase.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
            await database.SaveVulnTriageAsync([rule], ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"{rule.Status}: {rule.Cve} {rule.Pname}{(rule.Version.Length > 0 ? " " + rule.Version : "")}{(last is { } l ? string.Create(CultureInfo.InvariantCulture, $" until {l:yyyy-MM-dd}") : "")}").ConfigureAwait(false);
            return VigilApp.Success;
        });
        var file = new Argument<string>("FILE") { Description = "A vulnix whitelist (TOML: [\"pname-version\"] or [\"pname\"] sections with cve, until, issue_url, comment)." };
        var importDb = CommonOptions.Db();
        var importVulnix = new Command("import-vulnix", "Import a vulnix whitelist as 'ignored' rules (each section's CVEs, or every CVE when it lists none; until, issue_url and comment kept). Exit 0 stored, 2 bad input.")
        {
            file, importDb,
        };
        importVulnix.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            List<VulnTriageRule> rules;
            try
            {
                rules = VulnixWhitelist.Parse(await File.ReadAllTextAsync(path, ct).ConfigureAwait(false), "vulnix:" + Path.GetFileName(path), TimeProvider.System.GetUtcNow());
            }
            catch (WhitelistFormatException e)
            {
                throw new UsageException($"{path}: {e.Message}", e);
            }
            await using var database = await VigilDatabase.OpenAsync(parse.GetValue(importDb), ct).ConfigureAwait(false);
            await database.SaveVulnTriageAsync(rules, ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{rules.Count} rules imported from {path}")).ConfigureAwait(false);
            return VigilApp.Success;
        });
        var listDb = CommonOptions.Db();
        var json = CommonOptions.Json();
        var list = new Command("list", "List every triage rule (expired ones too).") { listDb, json };
        list.SetAction(async (parse, ct) =>
        {
            await using var database = await VigilDatabase.OpenAsync(parse.GetValue(listDb), ct).ConfigureAwait(false);
            var rules = await database.ListVulnTriageAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await WriteJsonAsync(context, w =>
                {
                    w.WriteStartArray();
                    foreach (var r in rules)
                    {
                        w.WriteStartObject();
                        w.WriteString("cve", r.Cve);
                        w.WriteString("pname", r.Pname);
                        w.WriteString("version", r.Version);
                        w.WriteString("status", r.Status);
                        w.WriteString("reason", r.Reason);
                        if (r.Until is { } u)
                        {
                            w.WriteString("until", u.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                        }
                        if (r.IssueUrl is { } url)
                        {
                            w.WriteString("issueUrl", url);
                        }
                        w.WriteString("origin", r.Origin);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }, ct).ConfigureAwait(false);
                return VigilApp.Success;
            }
            foreach (var r in rules)
            {
                await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{r.Status,-12} {r.Cve,-18} {r.Pname}{(r.Version.Length > 0 ? " " + r.Version : "")}  {r.Reason}{(r.Until is { } u ? $" (until {u:yyyy-MM-dd})" : "")}  [{r.Origin}]")).ConfigureAwait(false);
            }
            return VigilApp.Success;
        });
        triage.Subcommands.Add(add);
        triage.Subcommands.Add(importVulnix);
        triage.Subcommands.Add(list);
        return triage;
    }

    /// <summary>Says so when a revision's inventory is only its roots: fewer packages, not a cleaner revision.</summary>
    private static async Task WarnIfRootsOnlyAsync(CliContext context, VulnScanResult scan)
    {
        if (scan.RootsOnly)
        {
            await context.Error.WriteLineAsync(
                $"warning: revision '{scan.Revision.Name}' has no stored derivation graph (a read-only scan, one older than the {VigilDatabase.KeptGraphs} newest, or one scanned before schema v9): " +
                "its packages are its roots only; scan it again (vigil scan … --revision NAME) for its whole closure").ConfigureAwait(false);
        }
    }

    private static VulnScanResult Filter(VulnScanResult scan, double minConfidence) =>
        minConfidence <= 0 ? scan : scan with { Findings = [.. scan.Findings.Where(f => f.Confidence >= minConfidence)] };

    private static async Task WriteJsonAsync(CliContext context, Action<Utf8JsonWriter> write, CancellationToken ct)
    {
        var stdout = await context.RawStdoutAsync().ConfigureAwait(false);
        await using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(json);
        }
        await stdout.WriteAsync("\n"u8.ToArray(), ct).ConfigureAwait(false);
    }
}
