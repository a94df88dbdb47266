using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Vigil.Data;
using Vigil.Fod.Detection;
using Vigil.Fod.Reporting;
using Vigil.Store;
using Vigil.Store.Provenance;

namespace Vigil.Cli.Commands;

/// <summary><c>vigil diff</c> and <c>vigil check-pr</c>: compare two revisions' FODs and report poisoning.</summary>
internal static class DiffCommands
{
    private static readonly string[] Formats = ["text", "json", "sarif", "github"];
    private static readonly string[] FailOnLevels = ["error", "warning", "note", "never"];

    public static IEnumerable<Command> Build(CliContext context) => [BuildDiff(context), BuildCheckPr(context)];

    /// <summary>The options both commands share.</summary>
    private sealed class ReportOptions
    {
        public Option<string> Format { get; } = new("--format")
        {
            Description = "Output: 'text' (default), 'json', 'sarif' (SARIF 2.1.0 for GitHub code scanning) or 'github' (workflow annotations).",
            DefaultValueFactory = _ => "text",
        };

        public Option<string> FailOn { get; } = new("--fail-on")
        {
            Description = "Exit 1 when a finding is at least this severe: 'error', 'warning' (default), 'note', or 'never'.",
            DefaultValueFactory = _ => "warning",
        };

        public Option<string[]> Substituters { get; } = new("--substituter")
        {
            Description = "A binary cache (http(s):// or file://) your builders use, asked whether it already holds new FOD outputs (repeatable).",
            AllowMultipleArgumentsPerToken = false,
        };

        public Option<string?> Store { get; } = CommonOptions.Store();

        public Option<string?> Db { get; } = CommonOptions.Db();

        public ReportOptions()
        {
            Format.AcceptOnlyFromAmong(Formats);
            FailOn.AcceptOnlyFromAmong(FailOnLevels);
        }

        public void AddTo(Command command)
        {
            command.Options.Add(Format);
            command.Options.Add(FailOn);
            command.Options.Add(Substituters);
            command.Options.Add(Store);
            command.Options.Add(Db);
        }
    }

    private static Command BuildDiff(CliContext context)
    {
        var baseRev = new Argument<string>("REV_A") { Description = "The base revision (as 'vigil revisions' lists them)." };
        var headRev = new Argument<string>("REV_B") { Description = "The head revision, compared with the base." };
        var options = new ReportOptions();
        var diff = new Command(
            "diff",
            "Compare the FODs of two scanned revisions: added, removed and changed FODs, and every cache-poisoning finding\n" +
            "about what REV_B brings in (a reused hash, a shared output path, a hash kept over a version bump, an output\n" +
            "already present in the store or a cache, sources that cannot be verified). Exit 1 on findings at or above --fail-on.")
        {
            baseRev, headRev,
        };
        options.AddTo(diff);
        diff.SetAction(async (parse, ct) =>
        {
            return await ReportAsync(context, parse, options, async database =>
            {
                var a = await ScanCommands.FindRevisionAsync(database, parse.GetValue(baseRev), ct).ConfigureAwait(false);
                var b = await ScanCommands.FindRevisionAsync(database, parse.GetValue(headRev), ct).ConfigureAwait(false);
                return (a, b);
            }, ct).ConfigureAwait(false);
        });
        return diff;
    }

    private static Command BuildCheckPr(CliContext context)
    {
        var baseTarget = new Option<string>("--base")
        {
            Description = "The target branch: a .nix file, a directory with default.nix (e.g. a nixpkgs checkout), a .drv, or a stored revision name.",
            Required = true,
        };
        var headTarget = new Option<string>("--head") { Description = "The pull request's version of the same.", Required = true };
        var attr = new Option<string?>("--attr", "-A") { Description = "Only this attribute path of both expressions." };
        var argstr = new Option<string[]>("--argstr") { Description = "NAME=VALUE passed to both expressions as --argstr (repeatable).", AllowMultipleArgumentsPerToken = false };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Evaluator processes for the read-only pass (default 1).", DefaultValueFactory = _ => 1 };
        var baseName = new Option<string>("--base-revision") { Description = "Name to store the base scan under (default 'pr-base').", DefaultValueFactory = _ => "pr-base" };
        var headName = new Option<string>("--head-revision") { Description = "Name to store the head scan under (default 'pr-head').", DefaultValueFactory = _ => "pr-head" };
        var writeDrvs = ScanCommands.WriteDrvsOption();
        var options = new ReportOptions();
        var check = new Command(
            "check-pr",
            "The pull-request check for CI: scans the base and the head (derivations already in the database are not read\n" +
            "again, so only the change costs), compares their FODs and reports every cache-poisoning finding, as 'vigil diff'.\n" +
            "Exit 0 clean, 1 findings at or above --fail-on, 2 bad input.")
        {
            baseTarget, headTarget, attr, argstr, jobs, writeDrvs, baseName, headName,
        };
        options.AddTo(check);
        check.SetAction(async (parse, ct) =>
        {
            var storeUri = parse.GetValue(options.Store);
            var location = CommonOptions.ResolveStore(storeUri);
            async Task<RevisionInfo> ScanOrFindAsync(VigilDatabase database, string target, string name)
            {
                if (!File.Exists(target) && !Directory.Exists(target) && !target.EndsWith(".drv", StringComparison.Ordinal)
                    && await database.FindRevisionAsync(target, ct).ConfigureAwait(false) is { } stored)
                {
                    return stored;
                }
                var (evaluator, evalTarget) = ScanCommands.ChooseEvaluator(
                    target, parse.GetValue(attr), null, null, "combined", parse.GetValue(writeDrvs), parse.GetValue(jobs), parse.GetValue(argstr) ?? [], storeUri, location);
                var result = await ScanCommands.ScanAsync(context, database, location, evaluator, evalTarget, name, ct).ConfigureAwait(false);
                foreach (var e in result.Errors.Take(10))
                {
                    await context.Error.WriteLineAsync($"warning: {name}: {e.Attr} failed to evaluate: {ScanCommands.FirstLine(e.Message)}").ConfigureAwait(false);
                }
                if (result.Errors.Count > 10)
                {
                    await context.Error.WriteLineAsync($"warning: {name}: … and {result.Errors.Count - 10} more evaluation errors ('vigil scan --json' lists them)").ConfigureAwait(false);
                }
                return result.Revision;
            }
            return await ReportAsync(context, parse, options, async database =>
            {
                var b = await ScanOrFindAsync(database, parse.GetValue(baseTarget)!, parse.GetValue(baseName)!).ConfigureAwait(false);
                var h = await ScanOrFindAsync(database, parse.GetValue(headTarget)!, parse.GetValue(headName)!).ConfigureAwait(false);
                return (b, h);
            }, ct).ConfigureAwait(false);
        });
        return check;
    }

    /// <summary>Checks the options, opens the database, gets the two revisions from <paramref name="revisions"/>, reviews and prints.</summary>
    private static async Task<int> ReportAsync(
        CliContext context, ParseResult parse, ReportOptions options, Func<VigilDatabase, Task<(RevisionInfo Base, RevisionInfo Head)>> revisions, CancellationToken ct)
    {
        var location = CommonOptions.ResolveStore(parse.GetValue(options.Store));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var origins = new List<IStoreObjectOrigins> { new LocalStoreOrigins(location) };
        foreach (var url in parse.GetValue(options.Substituters) ?? [])
        {
            try
            {
                origins.Add(new BinaryCacheOrigins(url, location.StoreDir, http));
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }
        }
        await using var database = await VigilDatabase.OpenAsync(parse.GetValue(options.Db), ct).ConfigureAwait(false);
        var (baseRev, headRev) = await revisions(database).ConfigureAwait(false);
        var report = await new FodReview(database, origins, new DerivationReader(location)).ReviewAsync(baseRev, headRev, ct).ConfigureAwait(false);
        var format = parse.GetValue(options.Format)!;
        var artifact = ArtifactUri(headRev.Target);
        switch (format)
        {
            case "json":
            case "sarif":
                {
                    var stdout = await context.RawStdoutAsync().ConfigureAwait(false);
                    await using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
                    {
                        if (format == "json")
                        {
                            ReportJson.Write(json, report);
                        }
                        else
                        {
                            SarifReport.Write(json, report, artifact, ToolVersion());
                        }
                    }
                    await stdout.WriteAsync("\n"u8.ToArray(), ct).ConfigureAwait(false);
                    break;
                }
            case "github":
                GitHubAnnotations.Write(context.Out, report, artifact);
                break;
            default:
                TextReport.Write(context.Out, report);
                break;
        }
        var failOn = parse.GetValue(options.FailOn)!;
        return report.Worst is { } worst && failOn != "never" && worst >= ParseSeverity(failOn) ? VigilApp.Findings : VigilApp.Success;
    }

    private static Severity ParseSeverity(string name) => name switch
    {
        "error" => Severity.Error,
        "warning" => Severity.Warning,
        _ => Severity.Note,
    };

    /// <summary>The file findings are reported against: the scanned expression, relative to the working directory when inside it (as code scanning wants).</summary>
    internal static string ArtifactUri(string target)
    {
        var file = Directory.Exists(target) ? Path.Combine(target, "default.nix") : target;
        if (!Path.IsPathRooted(file))
        {
            return file.Replace('\\', '/');
        }
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, file);
        return (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? file : relative).Replace('\\', '/');
    }

    internal static string ToolVersion() =>
        typeof(DiffCommands).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? string.Create(CultureInfo.InvariantCulture, $"{typeof(DiffCommands).Assembly.GetName().Version}");
}
