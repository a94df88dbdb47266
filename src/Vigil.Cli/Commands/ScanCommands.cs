using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Vigil.Data;
using Vigil.Fod.Scanning;
using Vigil.Nix.Fetchers;
using Vigil.Store;
using Vigil.Store.Evaluation;

namespace Vigil.Cli.Commands;

/// <summary><c>vigil scan</c>, <c>vigil fods</c>, <c>vigil revisions</c>.</summary>
internal static class ScanCommands
{
    public static IEnumerable<Command> Build(CliContext context) => [BuildScan(context), BuildFods(context), BuildRevisions(context)];

    private static Command BuildScan(CliContext context)
    {
        var target = new Argument<string?>("TARGET")
        {
            Description = "A .nix file, a directory with default.nix (e.g. a nixpkgs checkout), or a .drv store path.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var attr = new Option<string?>("--attr", "-A") { Description = "Only this attribute path of the expression." };
        var revision = new Option<string?>("--revision") { Description = "Name to store the scan under (default: the target's name and the current UTC time)." };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Evaluator processes for the read-only pass (default 1).", DefaultValueFactory = _ => 1 };
        var backend = new Option<string>("--backend")
        {
            Description = "How to evaluate: 'combined' (default: read-only pass, then instantiate only what is new), 'instantiate', or 'readonly' (writes no .drv; cannot enter derivations used only inside strings, and lists them).",
            DefaultValueFactory = _ => "combined",
        };
        backend.AcceptOnlyFromAmong("combined", "instantiate", "readonly");
        var writeDrvs = WriteDrvsOption();
        var drvs = new Option<string?>("--drvs") { Description = "A file of .drv paths, one per line, instead of TARGET." };
        var jsonl = new Option<string?>("--jsonl") { Description = "A nix-eval-jobs output file ({\"attr\",\"drvPath\"} per line) instead of TARGET." };
        var argstr = new Option<string[]>("--argstr") { Description = "NAME=VALUE passed to the expression as --argstr (repeatable).", AllowMultipleArgumentsPerToken = false };
        var db = CommonOptions.Db();
        var store = CommonOptions.Store();
        var json = CommonOptions.Json();
        var scan = new Command(
            "scan",
            "Find every fixed-output derivation (FOD) of a package set and store it under a revision.\n" +
            "Derivations already in the database are not read again, so rescans cost only what changed.")
        {
            target, attr, revision, jobs, backend, writeDrvs, drvs, jsonl, argstr, db, store, json,
        };
        scan.SetAction(async (parse, ct) =>
        {
            var location = CommonOptions.ResolveStore(parse.GetValue(store));
            var (evaluator, evalTarget) = ChooseEvaluator(
                parse.GetValue(target), parse.GetValue(attr), parse.GetValue(drvs), parse.GetValue(jsonl),
                parse.GetValue(backend)!, parse.GetValue(writeDrvs), parse.GetValue(jobs), parse.GetValue(argstr) ?? [], parse.GetValue(store), location);
            var name = parse.GetValue(revision)
                ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(evalTarget.File)) + "@" + DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            await using var database = await VigilDatabase.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
            var result = await ScanAsync(context, database, location, evaluator, evalTarget, name, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                var stdout = await context.RawStdoutAsync().ConfigureAwait(false);
                await JsonSerializer.SerializeAsync(stdout, ScanSummary.From(result), CliJsonContext.Default.ScanSummary, ct).ConfigureAwait(false);
                await stdout.WriteAsync("\n"u8.ToArray(), ct).ConfigureAwait(false);
            }
            else
            {
                var r = result.Revision;
                await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"revision {r.Name}: {r.RootCount} attributes, {r.FodCount} FODs, {r.EvalErrorCount} errors ({database.Description})")).ConfigureAwait(false);
                await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"closure: {result.DrvsInClosure} derivations, {result.DrvsRead} read, {result.DrvsKnown} already known; {result.Elapsed.TotalSeconds:F2} s")).ConfigureAwait(false);
                foreach (var e in result.Errors.Take(20))
                {
                    await context.Error.WriteLineAsync($"error: {e.Attr}: {FirstLine(e.Message)}").ConfigureAwait(false);
                }
                if (result.Errors.Count > 20)
                {
                    await context.Error.WriteLineAsync($"… and {result.Errors.Count - 20} more errors (see 'vigil scan --json')").ConfigureAwait(false);
                }
            }
            return VigilApp.Success;
        });
        return scan;
    }

    /// <summary><c>--write-drvs new|needed</c>, for the commands that scan with the combined backend.</summary>
    internal static Option<string?> WriteDrvsOption()
    {
        var option = new Option<string?>("--write-drvs")
        {
            Description = "Which .drv files the combined backend has Nix write: 'new' (default: every attribute whose .drv is not in the store yet, " +
                "so that 'vigil verify' can rebuild any FOD) or 'needed' (only what the read-only walk cannot enter; about 3.5x faster " +
                "on a fresh store, but FODs that need a rebuild to be verified must be instantiated first).",
        };
        option.AcceptOnlyFromAmong("new", "needed");
        return option;
    }

    internal static (IEvaluator, EvalTarget) ChooseEvaluator(
        string? target, string? attr, string? drvs, string? jsonl, string backend, string? writeDrvs, int jobs, string[] argstrs, string? storeUri, StoreLocation location)
    {
        var sources = (target is null ? 0 : 1) + (drvs is null ? 0 : 1) + (jsonl is null ? 0 : 1);
        if (sources != 1)
        {
            throw new UsageException("give exactly one of TARGET, --drvs FILE or --jsonl FILE");
        }
        if (jobs < 1)
        {
            throw new UsageException($"--jobs must be at least 1, not {jobs}");
        }
        if (writeDrvs is not null && (backend != "combined" || target is null || target.EndsWith(".drv", StringComparison.Ordinal)))
        {
            throw new UsageException("--write-drvs applies to the combined backend, which evaluates a TARGET expression");
        }
        if (drvs is not null)
        {
            return (new DrvListEvaluator(location), new EvalTarget(drvs));
        }
        if (jsonl is not null)
        {
            return (new JsonLinesEvaluator(location), new EvalTarget(jsonl));
        }
        if (target!.EndsWith(".drv", StringComparison.Ordinal))
        {
            return (new DrvListEvaluator(location), new EvalTarget(target));
        }
        if (!File.Exists(target) && !Directory.Exists(target))
        {
            throw new UsageException($"target '{target}' does not exist (expected a .nix file, a directory with default.nix, or a .drv path)");
        }
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var a in argstrs)
        {
            var eq = a.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new UsageException($"--argstr '{a}' must be NAME=VALUE");
            }
            args[a[..eq]] = a[(eq + 1)..];
        }
        var nix = new NixProcess(new NixProcessOptions(Store: storeUri));
        var options = new EvaluatorOptions(Jobs: jobs);
        IEvaluator evaluator = backend switch
        {
            "instantiate" => new InstantiateEvaluator(nix, options),
            "readonly" => new ReadOnlyEvaluator(nix, options),
            _ => new CombinedEvaluator(nix, options, writeDrvs == "needed" ? DrvWrites.Needed : DrvWrites.New),
        };
        return (evaluator, new EvalTarget(Path.GetFullPath(target), attr, args.Count == 0 ? null : args));
    }

    /// <summary>
    /// Scans one target into a revision, with a progress line when stderr is a terminal and
    /// <paramref name="showProgress"/> (a server's background evaluations show none).
    /// </summary>
    internal static Task<ScanResult> ScanAsync(
        CliContext context, VigilDatabase database, StoreLocation location, IEvaluator evaluator, EvalTarget target, string revision, CancellationToken ct, bool showProgress = true) =>
        WithProgressAsync(context, showProgress, progress => new FodScanner(database, new DerivationReader(location), progress).ScanAsync(evaluator, target, revision, ct));

    private static async Task<T> WithProgressAsync<T>(CliContext context, bool showProgress, Func<IProgress<ScanProgress>?, Task<T>> work)
    {
        if (!context.ErrorIsTerminal || !showProgress)
        {
            return await work(null).ConfigureAwait(false);
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Error) });
        return await console.Status().StartAsync("evaluating…", async status =>
        {
            var started = DateTime.UtcNow;
            var progress = new Progress<ScanProgress>(p =>
            {
                var rate = p.DrvsRead / Math.Max(0.001, (DateTime.UtcNow - started).TotalSeconds);
                status.Status = p.Phase == "evaluating"
                    ? string.Create(CultureInfo.InvariantCulture, $"evaluating: {p.Attrs} attributes")
                    : string.Create(CultureInfo.InvariantCulture, $"{p.Phase}: {p.DrvsRead} drvs read ({rate:F0}/s), {p.DrvsKnown} known, {p.Fods} new FODs");
            });
            return await work(progress).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    internal static string FirstLine(string message)
    {
        var nl = message.IndexOf('\n', StringComparison.Ordinal);
        return nl < 0 ? message : message[..nl];
    }

    private static Command BuildFods(CliContext context)
    {
        var revision = new Option<string?>("--revision") { Description = "Revision name (default: the most recently scanned)." };
        var db = CommonOptions.Db();
        var json = CommonOptions.Json();
        var fods = new Command("fods", "List the FODs of a scanned revision.") { revision, db, json };
        fods.SetAction(async (parse, ct) =>
        {
            await using var database = await VigilDatabase.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
            var rev = await FindRevisionAsync(database, parse.GetValue(revision), ct).ConfigureAwait(false);
            var list = await database.ListFodsAsync(rev.Id, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                var stdout = await context.RawStdoutAsync().ConfigureAwait(false);
                await JsonSerializer.SerializeAsync(stdout, list.Select(FodJson.From).ToList(), CliJsonContext.Default.ListFodJson, ct).ConfigureAwait(false);
                await stdout.WriteAsync("\n"u8.ToArray(), ct).ConfigureAwait(false);
                return VigilApp.Success;
            }
            var table = new Table().AddColumns("name", "fetcher", "hash", "url", "attrs");
            foreach (var f in list)
            {
                table.AddRow(
                    Markup.Escape(f.Fod.Name),
                    FetcherKinds.Name(f.Fod.Fetcher),
                    Markup.Escape(f.Fod.HashSri),
                    Markup.Escape(f.Fod.Urls.Count > 0 ? f.Fod.Urls[0] : f.Fod.Rev ?? ""),
                    Markup.Escape(string.Join(' ', f.Attrs.Take(3)) + (f.AttrCount > 3 ? $" (+{f.AttrCount - 3})" : "")));
            }
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Out) });
            if (Console.IsOutputRedirected)
            {
                // Spectre assumes 80 columns off a terminal; piped tables should keep one row per FOD.
                console.Profile.Width = 240;
            }
            console.Write(table);
            await context.Out.WriteLineAsync($"{list.Count} FODs in revision {rev.Name}").ConfigureAwait(false);
            return VigilApp.Success;
        });
        return fods;
    }

    private static Command BuildRevisions(CliContext context)
    {
        var db = CommonOptions.Db();
        var json = CommonOptions.Json();
        var revisions = new Command("revisions", "List scanned revisions, newest first.") { db, json };
        revisions.SetAction(async (parse, ct) =>
        {
            await using var database = await VigilDatabase.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
            // The database lists the oldest scan first; people look for the latest one.
            var list = (await database.ListRevisionsAsync(ct).ConfigureAwait(false)).Reverse().ToList();
            if (parse.GetValue(json))
            {
                var stdout = await context.RawStdoutAsync().ConfigureAwait(false);
                await JsonSerializer.SerializeAsync(stdout, list, CliJsonContext.Default.IReadOnlyListRevisionInfo, ct).ConfigureAwait(false);
                await stdout.WriteAsync("\n"u8.ToArray(), ct).ConfigureAwait(false);
                return VigilApp.Success;
            }
            foreach (var r in list)
            {
                await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{r.Name}\t{r.ScannedAt:yyyy-MM-dd HH:mm:ss}Z\t{r.RootCount} attrs\t{r.FodCount} FODs\t{r.EvalErrorCount} errors\t{r.Target}")).ConfigureAwait(false);
            }
            return VigilApp.Success;
        });
        return revisions;
    }

    internal static async Task<RevisionInfo> FindRevisionAsync(VigilDatabase database, string? name, CancellationToken ct)
    {
        if (name is not null)
        {
            return await database.FindRevisionAsync(name, ct).ConfigureAwait(false)
                ?? throw new UsageException($"no revision named '{name}' in {database.Description}; 'vigil revisions' lists them");
        }
        // Oldest first: the most recent scan is the last.
        var all = await database.ListRevisionsAsync(ct).ConfigureAwait(false);
        return all.Count > 0 ? all[^1] : throw new UsageException($"{database.Description} has no scanned revision yet; run 'vigil scan' first");
    }
}
