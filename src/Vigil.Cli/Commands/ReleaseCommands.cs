using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Vigil.Data;
using Vigil.Fod.Release;

namespace Vigil.Cli.Commands;

/// <summary><c>vigil gate</c> (the release check) and <c>vigil liveness</c> (sources broken now, checks due).</summary>
internal static class ReleaseCommands
{
    /// <summary>How long a verification counts as current for the liveness schedule, unless told otherwise.</summary>
    public const int DefaultIntervalDays = 30;

    public static IEnumerable<Command> Build(CliContext context)
    {
        yield return BuildGate(context);
        yield return BuildLiveness(context);
    }

    public static Option<double> IntervalOption() => new("--interval")
    {
        Description = $"Days after which a verification is stale and the source due for a re-check (default {DefaultIntervalDays}).",
        DefaultValueFactory = _ => DefaultIntervalDays,
    };

    public static LivenessSchedule Schedule(double intervalDays) =>
        intervalDays > 0
            ? new LivenessSchedule(TimeSpan.FromDays(intervalDays), TimeProvider.System)
            : throw new UsageException("--interval must be a positive number of days");

    private static Command BuildGate(CliContext context)
    {
        var release = new Option<string>("--release") { Description = "The revision to be released (a stored revision name).", Required = true };
        var since = new Option<string>("--since") { Description = "The previous release: FODs it already had (same output and recipe) are not checked again.", Required = true };
        var enforce = new Option<bool>("--enforce") { Description = "Exit 1 unless every changed FOD was verified ok (without it the report never fails)." };
        var db = CommonOptions.Db();
        var json = CommonOptions.Json();
        var gate = new Command(
            "gate",
            "The release check: every FOD the release has and the previous release has not, with its latest verification\n" +
            "(verified, hash-mismatch, unreachable, build-failed or unverified). Run 'vigil verify --revision R --changed-since R0'\n" +
            "first. Exit 0 passed or not enforced, 1 enforced and not passed, 2 bad input.")
        {
            release, since, enforce, db, json,
        };
        gate.SetAction(async (parse, ct) =>
        {
            await using var database = await VigilDatabase.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
            var rel = await ScanCommands.FindRevisionAsync(database, parse.GetValue(release), ct).ConfigureAwait(false);
            var old = await ScanCommands.FindRevisionAsync(database, parse.GetValue(since), ct).ConfigureAwait(false);
            var changed = await database.ListFodsNotInAsync(rel.Id, old.Id, ct).ConfigureAwait(false);
            var liveness = await LivenessOfAsync(database, changed, ct).ConfigureAwait(false);
            var report = ReleaseGate.Judge(rel.Name, old.Name, changed, liveness);
            var enforced = parse.GetValue(enforce);

            if (parse.GetValue(json))
            {
                var stdout = await context.RawStdoutAsync().ConfigureAwait(false);
                await JsonSerializer.SerializeAsync(stdout, GateJson.From(report, enforced), CliJsonContext.Default.GateJson, ct).ConfigureAwait(false);
                await stdout.WriteAsync("\n"u8.ToArray(), ct).ConfigureAwait(false);
            }
            else
            {
                await WriteGateAsync(context, report, enforced).ConfigureAwait(false);
            }
            return enforced && !report.Passed ? VigilApp.Findings : VigilApp.Success;
        });
        return gate;
    }

    private static async Task WriteGateAsync(CliContext context, GateReport report, bool enforced)
    {
        var counts = string.Join(", ", Enum.GetValues<GateOutcome>().Select(o => (o, n: report.Count(o))).Where(c => c.n > 0)
            .Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.n} {c.o.Name()}")));
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"release {report.Release} since {report.Since}: {report.Entries.Count} changed FODs{(report.Entries.Count == 0 ? "" : ": " + counts)}")).ConfigureAwait(false);
        foreach (var e in report.Entries.Where(e => e.Outcome != GateOutcome.Verified))
        {
            var why = e.Outcome switch
            {
                GateOutcome.Unverified => "never verified",
                GateOutcome.HashMismatch => $"expected {e.Fod.Fod.HashSri}, got {e.Latest!.Actual}{From(e.Latest.Url)} at {Time(e.Latest.LastCheckedAt)}",
                _ => $"{ScanCommands.FirstLine(e.Latest!.Detail ?? "")}{From(e.Latest.Url)} at {Time(e.Latest.LastCheckedAt)}",
            };
            await context.Out.WriteLineAsync($"{e.Outcome.Name()}\t{e.Fod.Fod.Name}\t{Attrs(e.Fod)}\t{e.Fod.Fod.DrvPath}\t{why}").ConfigureAwait(false);
        }
        if (report.Passed)
        {
            await context.Out.WriteLineAsync("gate: passed, every changed FOD verified ok").ConfigureAwait(false);
            return;
        }
        var failing = report.Entries.Count(e => e.Outcome != GateOutcome.Verified);
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"gate: {(enforced ? "FAILED" : "would fail (not enforced)")}, {failing} of {report.Entries.Count} changed FODs not verified ok; " +
            $"verify them with 'vigil verify --revision {report.Release} --changed-since {report.Since}'")).ConfigureAwait(false);
    }

    private static Command BuildLiveness(CliContext context)
    {
        var revision = new Option<string?>("--revision") { Description = "Revision whose sources to report (default: the most recently scanned)." };
        var broken = new Option<bool>("--broken") { Description = "List only the sources broken now (their latest verification failed)." };
        var interval = IntervalOption();
        var db = CommonOptions.Db();
        var json = CommonOptions.Json();
        var liveness = new Command(
            "liveness",
            "Whether the sources of a revision still fetch as their hashes say, by their latest verification: ok, broken (since\n" +
            "when, last ok when) or never checked, and which are due for a re-check ('vigil verify --due' checks them).\n" +
            "Exit 0 nothing broken, 1 some source broken, 2 bad input.")
        {
            revision, broken, interval, db, json,
        };
        liveness.SetAction(async (parse, ct) =>
        {
            var schedule = Schedule(parse.GetValue(interval));
            await using var database = await VigilDatabase.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
            var rev = await ScanCommands.FindRevisionAsync(database, parse.GetValue(revision), ct).ConfigureAwait(false);
            var fods = await database.ListFodsAsync(rev.Id, ct).ConfigureAwait(false);
            var sources = schedule.Assess(fods, await LivenessOfAsync(database, fods, ct).ConfigureAwait(false));
            var shown = sources
                .Where(s => !parse.GetValue(broken) || s.State == SourceState.Broken)
                .OrderBy(s => s.State == SourceState.Broken ? 0 : 1)
                .ThenBy(s => s.Latest?.BrokenSince)
                .ThenBy(s => s.Fod.Fod.DrvPath, StringComparer.Ordinal)
                .ToList();

            if (parse.GetValue(json))
            {
                var list = shown.Select(s => SourceJson.From(s.Fod, StateName(s), s.Latest, s.Due)).ToList();
                var stdout = await context.RawStdoutAsync().ConfigureAwait(false);
                await JsonSerializer.SerializeAsync(stdout, list, CliJsonContext.Default.ListSourceJson, ct).ConfigureAwait(false);
                await stdout.WriteAsync("\n"u8.ToArray(), ct).ConfigureAwait(false);
            }
            else
            {
                foreach (var s in shown.Where(s => s.State == SourceState.Broken))
                {
                    var l = s.Latest!;
                    var what = l.LastStatus == "hash-mismatch" ? $"got {l.Actual}, expected {l.HashSri}" : ScanCommands.FirstLine(l.Detail ?? "");
                    await context.Out.WriteLineAsync(
                        $"broken\t{s.Fod.Fod.Name}\t{Attrs(s.Fod)}\t{l.LastStatus} since {Time(l.BrokenSince ?? l.LastCheckedAt)}, " +
                        $"last ok {(l.LastOkAt is { } ok ? Time(ok) : "never")}\t{what}{From(l.Url)}").ConfigureAwait(false);
                }
                await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"revision {rev.Name}: {sources.Count} FODs: {sources.Count(s => s.State == SourceState.Ok)} ok, " +
                    $"{sources.Count(s => s.State == SourceState.Broken)} broken, {sources.Count(s => s.State == SourceState.Unchecked)} never checked; " +
                    $"{sources.Count(s => s.Due)} due for a check (older than {schedule.Interval.TotalDays:0.##} days or never)")).ConfigureAwait(false);
            }
            return sources.Any(s => s.State == SourceState.Broken) ? VigilApp.Findings : VigilApp.Success;
        });
        return liveness;
    }

    /// <summary>The liveness rows of <paramref name="fods"/>' identities.</summary>
    public static Task<IReadOnlyList<FodLiveness>> LivenessOfAsync(VigilDatabase database, IReadOnlyList<StoredFod> fods, CancellationToken ct) =>
        database.FindLivenessAsync(fods.Select(f => f.Fod.RecipeHash).Distinct(StringComparer.Ordinal).ToList(), ct);

    private static string StateName(SourceLiveness s) => s.State switch
    {
        SourceState.Ok => "ok",
        SourceState.Broken => s.Latest!.LastStatus,
        _ => "unchecked",
    };

    private static string Attrs(StoredFod f) => f.Attrs.Count == 0 ? "-" : string.Join(",", f.Attrs.Take(3)) + (f.AttrCount > 3 ? ",…" : "");

    private static string From(string? url) => url is null ? "" : " from " + url;

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
