using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Channels;
using Spectre.Console;
using Vigil.Data;
using Vigil.Fod.Verification;
using Vigil.Nix.Fetchers;
using Vigil.Store.Evaluation;
using Vigil.Store.Realisation;

namespace Vigil.Cli.Commands;

/// <summary><c>vigil verify</c>: fetch or rebuild FODs, compare hashes, store results and trust.</summary>
internal static class VerifyCommands
{
    public static Command Build(CliContext context)
    {
        var revision = new Option<string?>("--revision") { Description = "Revision to verify (default: the most recently scanned)." };
        var changedSince = new Option<string?>("--changed-since") { Description = "Only the FODs the revision has and revision R0 has not (same output and recipe)." };
        var all = new Option<bool>("--all") { Description = "Every FOD of the revision, trusted ones too (default: only those not yet verified ok)." };
        var due = new Option<bool>("--due") { Description = "The liveness check: the FODs not verified (ok or not) within --interval days, trusted ones too." };
        var interval = ReleaseCommands.IntervalOption();
        var concurrency = new Option<int>("--concurrency") { Description = "Downloads in flight overall (default 16).", DefaultValueFactory = _ => 16 };
        var perHost = new Option<int>("--per-host") { Description = "Downloads in flight per host (default 4; 0: no limit).", DefaultValueFactory = _ => 4 };
        var timeout = new Option<double>("--timeout") { Description = "Seconds one download attempt may take (default 600).", DefaultValueFactory = _ => 600 };
        var maxBody = new Option<long>("--max-body") { Description = "Bytes one download may have; a longer body is refused as unreachable (default 4 GiB).", DefaultValueFactory = _ => 4L << 30 };
        var retries = new Option<int>("--retries") { Description = "Retries of a transient failure per URL (default 3).", DefaultValueFactory = _ => 3 };
        var sandboxPaths = new Option<string?>("--sandbox-paths") { Description = "Nix's sandbox-paths for rebuilds (e.g. '/bin /usr /lib /lib64' for /bin/sh builders in chroot stores)." };
        var db = CommonOptions.Db();
        var store = CommonOptions.Store();
        var json = CommonOptions.Json();
        var verify = new Command(
            "verify",
            "Verify FODs by really fetching them: flat fetchurl FODs are downloaded and hashed natively, every other FOD is\n" +
            "rebuilt by Nix with no substituters and no hashed mirrors. Results are stored as they come, and pairs verified ok\n" +
            "are trusted, so a rerun (or an interrupted run) does not fetch them again. Exit 0 all ok or skipped, 1 any\n" +
            "hash-mismatch, unreachable or build-failed, 2 bad input.")
        {
            revision, changedSince, all, due, interval, concurrency, perHost, timeout, maxBody, retries, sandboxPaths, db, store, json,
        };
        verify.SetAction(async (parse, ct) =>
        {
            if ((parse.GetValue(all) ? 1 : 0) + (parse.GetValue(due) ? 1 : 0) + (parse.GetValue(changedSince) is null ? 0 : 1) > 1)
            {
                throw new UsageException("give at most one of --changed-since R0, --all and --due");
            }
            var schedule = ReleaseCommands.Schedule(parse.GetValue(interval));
            if (parse.GetValue(concurrency) < 1 || parse.GetValue(perHost) < 0 || parse.GetValue(retries) < 0 || parse.GetValue(timeout) <= 0 || parse.GetValue(maxBody) < 1)
            {
                throw new UsageException("--concurrency must be at least 1, --per-host and --retries at least 0, --timeout and --max-body positive");
            }
            await using var database = await VigilDatabase.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
            var rev = await ScanCommands.FindRevisionAsync(database, parse.GetValue(revision), ct).ConfigureAwait(false);
            IReadOnlyList<StoredFod> candidates;
            if (parse.GetValue(changedSince) is { } since)
            {
                var old = await ScanCommands.FindRevisionAsync(database, since, ct).ConfigureAwait(false);
                candidates = await database.ListFodsNotInAsync(rev.Id, old.Id, ct).ConfigureAwait(false);
            }
            else
            {
                candidates = await database.ListFodsAsync(rev.Id, ct).ConfigureAwait(false);
            }
            List<FodRecord> fods;
            if (parse.GetValue(due))
            {
                var liveness = await ReleaseCommands.LivenessOfAsync(database, candidates, ct).ConfigureAwait(false);
                fods = schedule.Assess(candidates, liveness).Where(s => s.Due).Select(s => s.Fod.Fod).ToList();
            }
            else if (parse.GetValue(all))
            {
                fods = candidates.Select(c => c.Fod).ToList();
            }
            else
            {
                fods = await UntrustedAsync(database, candidates.Select(c => c.Fod).ToList(), ct).ConfigureAwait(false);
            }

            var storeUri = parse.GetValue(store);
            var extra = new Dictionary<string, string>(StringComparer.Ordinal);
            if (parse.GetValue(sandboxPaths) is { } paths)
            {
                extra["sandbox-paths"] = paths;
            }
            using var native = new NativeFodVerifier(new NativeFetchOptions(
                MaxConcurrency: parse.GetValue(concurrency),
                PerHost: parse.GetValue(perHost),
                AttemptTimeout: TimeSpan.FromSeconds(parse.GetValue(timeout)),
                MaxBodyBytes: parse.GetValue(maxBody),
                MaxRetries: parse.GetValue(retries)));
            var rebuild = new RebuildFodVerifier(new FodRealiser(new NixProcessOptions(Store: storeUri, ExtraOptions: extra)));
            var run = new FodVerification([native, rebuild], parse.GetValue(concurrency));

            var results = new List<VerificationResult>();
            await WithProgressAsync(context, fods.Count, async progress =>
            {
                // One writer drains results in batches: each is stored moments after it is known, in few transactions.
                var queue = Channel.CreateUnbounded<VerificationResult>(new UnboundedChannelOptions { SingleReader = true });
                var writer = Task.Run(async () =>
                {
                    var batch = new List<VerificationRecord>();
                    while (await queue.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
                    {
                        batch.Clear();
                        while (batch.Count < 500 && queue.Reader.TryRead(out var r))
                        {
                            batch.Add(r.ToRecord());
                        }
                        await database.SaveVerificationsAsync(batch, CancellationToken.None).ConfigureAwait(false);
                    }
                }, CancellationToken.None);
                try
                {
                    await run.RunAsync(fods, r =>
                    {
                        lock (results)
                        {
                            results.Add(r);
                            progress?.Invoke(results.Count, r);
                        }
                        queue.Writer.TryWrite(r);
                        return Task.CompletedTask;
                    }, ct).ConfigureAwait(false);
                }
                finally
                {
                    // Whatever was verified before an interruption is still written.
                    queue.Writer.Complete();
                    await writer.ConfigureAwait(false);
                }
            }).ConfigureAwait(false);

            results.Sort((a, b) => string.CompareOrdinal(a.DrvPath, b.DrvPath));
            if (parse.GetValue(json))
            {
                await WriteJsonAsync(await context.RawStdoutAsync().ConfigureAwait(false), results, ct).ConfigureAwait(false);
            }
            else
            {
                await WriteTextAsync(context, rev, results).ConfigureAwait(false);
            }
            return results.Any(r => r.Status.IsFailure()) ? VigilApp.Findings : VigilApp.Success;
        });
        return verify;
    }

    /// <summary>The FODs whose (recipe, hash, mode) pair is not in the trust database.</summary>
    private static async Task<List<FodRecord>> UntrustedAsync(VigilDatabase database, List<FodRecord> fods, CancellationToken ct)
    {
        var trusted = await database.FindTrustedPairsAsync(fods.Select(f => f.RecipeHash).Distinct(StringComparer.Ordinal).ToList(), ct).ConfigureAwait(false);
        var keys = trusted.Select(t => (t.RecipeHash, t.HashSri, t.HashMode)).ToHashSet();
        return fods.Where(f => !keys.Contains((f.RecipeHash, f.HashSri, f.HashMode))).ToList();
    }

    private static async Task WithProgressAsync(CliContext context, int total, Func<Action<int, VerificationResult>?, Task> work)
    {
        if (!context.ErrorIsTerminal || total == 0)
        {
            await work(null).ConfigureAwait(false);
            return;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Error) });
        await console.Progress().StartAsync(async p =>
        {
            var task = p.AddTask("verifying FODs", maxValue: total);
            var failed = 0;
            await work((done, r) =>
            {
                failed += r.Status.IsFailure() ? 1 : 0;
                task.Value = done;
                task.Description = string.Create(CultureInfo.InvariantCulture, $"verifying FODs ({failed} failed)");
            }).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    private static async Task WriteJsonAsync(Stream stdout, List<VerificationResult> results, CancellationToken ct)
    {
        await using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartArray();
            foreach (var r in results)
            {
                json.WriteStartObject();
                json.WriteString("drvPath", r.DrvPath);
                json.WriteString("outputPath", r.OutputPath);
                json.WriteString("status", r.Status.Name());
                json.WriteString("expected", r.Expected);
                WriteNullable(json, "actual", r.Actual);
                json.WriteString("method", r.Method.Name());
                WriteNullable(json, "url", r.Url);
                WriteNullable(json, "detail", r.Detail);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        await stdout.WriteAsync("\n"u8.ToArray(), ct).ConfigureAwait(false);
        await stdout.FlushAsync(ct).ConfigureAwait(false);
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static async Task WriteTextAsync(CliContext context, RevisionInfo rev, List<VerificationResult> results)
    {
        foreach (var r in results.Where(r => r.Status != VerificationStatus.Ok))
        {
            var line = r.Status == VerificationStatus.HashMismatch
                ? $"{r.Status.Name()}\t{r.DrvPath}\texpected {r.Expected}, got {r.Actual}{(r.Url is null ? "" : " from " + r.Url)}"
                : $"{r.Status.Name()}\t{r.DrvPath}\t{ScanCommands.FirstLine(r.Detail ?? "")}";
            await context.Out.WriteLineAsync(line).ConfigureAwait(false);
        }
        var counts = string.Join(", ", results.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Count()} {g.Key.Name()}")));
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"revision {rev.Name}: {results.Count} FODs verified{(results.Count == 0 ? " (all already trusted)" : ": " + counts)}")).ConfigureAwait(false);
    }
}
