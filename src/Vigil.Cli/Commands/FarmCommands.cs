using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Vigil.Cli.Farm;
using Vigil.Data;
using Vigil.Data.Farm;
using Vigil.Farm.Grpc;
using Vigil.Store;

namespace Vigil.Cli.Commands;

/// <summary>
/// The farm's server side and its records: <c>vigil serve</c> (queue runner + builders' gRPC
/// endpoint), <c>vigil farm up</c> (a server and N local builders), <c>vigil jobset add</c>,
/// <c>vigil eval</c>, <c>vigil builds</c>, <c>vigil machines</c>, <c>vigil log</c>.
/// </summary>
internal static class FarmCommands
{
    private const string DefaultProject = "default";

    public static IEnumerable<Command> Build(CliContext context)
    {
        yield return Serve(context);
        yield return FarmUp(context);
        yield return Jobset(context);
        yield return Eval(context);
        yield return Builds(context);
        yield return Machines(context);
        yield return Log(context);
    }

    private sealed record ServerOptions(Option<string?> Db, Option<int> Port, Option<string> Listen, Option<string?> Store, Option<string> StateDir, Option<double> Heartbeat, Option<double> StopGrace, Option<double> RetryDelay);

    private static ServerOptions NewServerOptions() => new(
        CommonOptions.Db(),
        new Option<int>("--port") { Description = $"TCP port of the builders' gRPC endpoint (HTTP/2 only; default {FarmServerOptions.DefaultPort}; 0: any free port).", DefaultValueFactory = _ => FarmServerOptions.DefaultPort },
        new Option<string>("--listen") { Description = "Address to listen on (default 127.0.0.1).", DefaultValueFactory = _ => "127.0.0.1" },
        CommonOptions.Store(),
        new Option<string>("--state-dir") { Description = "Where step logs (and farm up's builder stores) go (default ./vigil-farm).", DefaultValueFactory = _ => "vigil-farm" },
        new Option<double>("--heartbeat") { Description = "Seconds between builder heartbeats; a builder silent for 3 of them is lost and its steps requeued (default 10).", DefaultValueFactory = _ => 10 },
        new Option<double>("--stop-grace") { Description = "Seconds running steps may take to finish after SIGTERM before they are aborted and requeued (default 300).", DefaultValueFactory = _ => 300 },
        new Option<double>("--retry-delay") { Description = "Seconds before the first retry of a step that failed for the farm's sake (builder lost, transient); then ×3 per attempt, plus jitter (default 60).", DefaultValueFactory = _ => 60 });

    private static void AddTo(Command command, ServerOptions o)
    {
        command.Options.Add(o.Db);
        command.Options.Add(o.Port);
        command.Options.Add(o.Listen);
        command.Options.Add(o.Store);
        command.Options.Add(o.StateDir);
        command.Options.Add(o.Heartbeat);
        command.Options.Add(o.StopGrace);
        command.Options.Add(o.RetryDelay);
    }

    private static Command Serve(CliContext context)
    {
        var o = NewServerOptions();
        var command = new SelfStoppingCommand(
            "serve",
            "Run the farm server: the queue runner over the database's queued builds and the builders' gRPC endpoint\n" +
            "(vigil.farm.v1, HTTP/2 cleartext). Prints the URL builders dial ('vigil builder --server URL').\n" +
            "Evaluates each jobset with a check interval ('vigil jobset add --check-interval') when it is due, as 'vigil eval' does.\n" +
            "SIGTERM/SIGINT: stop evaluating, drain, let running steps finish within --stop-grace, abort the rest, exit 0.");
        AddTo(command, o);
        command.SetAction(async (parse, ct) =>
        {
            await using var database = await VigilDatabase.OpenAsync(parse.GetValue(o.Db), ct).ConfigureAwait(false);
            await using var server = await StartServerAsync(context, parse, o, database, ct).ConfigureAwait(false);
            await using var evaluations = StartEvaluations(context, parse, o, database);
            await WaitForSignalAsync().ConfigureAwait(false);
            await context.Error.WriteLineAsync("vigil serve: stopping (draining builders)").ConfigureAwait(false);
            await evaluations.StopAsync().ConfigureAwait(false);
            await server.StopAsync().ConfigureAwait(false);
            return VigilApp.Success;
        });
        return command;
    }

    private static Command FarmUp(CliContext context)
    {
        var o = NewServerOptions();
        var builders = new Option<int>("--builders") { Description = "Local builder processes to start, each with its own chroot store under --state-dir (default 2).", DefaultValueFactory = _ => 2 };
        var jobs = new Option<int>("--jobs") { Description = "Steps each builder runs at once (default 1).", DefaultValueFactory = _ => 1 };
        var up = new SelfStoppingCommand(
            "up",
            "Run a whole farm on this machine: the server ('vigil serve') and --builders local 'vigil builder' processes,\n" +
            "each with its own chroot Nix store under --state-dir. Ctrl-C (or SIGTERM) stops them all gracefully.")
        {
            builders, jobs,
        };
        AddTo(up, o);
        up.SetAction(async (parse, ct) =>
        {
            var count = parse.GetValue(builders);
            if (count < 0 || parse.GetValue(jobs) < 1)
            {
                throw new UsageException("--builders must not be negative and --jobs at least 1");
            }
            await using var database = await VigilDatabase.OpenAsync(parse.GetValue(o.Db), ct).ConfigureAwait(false);
            await using var server = await StartServerAsync(context, parse, o, database, ct).ConfigureAwait(false);
            await using var evaluations = StartEvaluations(context, parse, o, database);
            var self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find the vigil executable");
            var state = Path.GetFullPath(parse.GetValue(o.StateDir)!);
            var processes = new List<Process>();
            try
            {
                for (var i = 1; i <= count; i++)
                {
                    var root = Path.Combine(state, "builders", i.ToString(CultureInfo.InvariantCulture));
                    Directory.CreateDirectory(root);
                    var info = new ProcessStartInfo(self) { UseShellExecute = false };
                    foreach (var a in new[] { "builder", "--server", server.Url.ToString(), "--id", $"local-{i}", "--store", "local?root=" + root, "--jobs", parse.GetValue(jobs).ToString(CultureInfo.InvariantCulture) })
                    {
                        info.ArgumentList.Add(a);
                    }
                    processes.Add(Process.Start(info) ?? throw new InvalidOperationException("cannot start a builder"));
                }
                await context.Error.WriteLineAsync($"vigil farm up: {count} builders; Ctrl-C stops the farm").ConfigureAwait(false);
                await WaitForSignalAsync().ConfigureAwait(false);
                await context.Error.WriteLineAsync("vigil farm up: stopping").ConfigureAwait(false);
            }
            finally
            {
                await evaluations.StopAsync().ConfigureAwait(false);
                // Builders first (SIGTERM: they finish or abort their steps and report), then the server.
                foreach (var p in processes.Where(p => !p.HasExited))
                {
                    ProcessTree.Terminate(p);
                }
                foreach (var p in processes)
                {
                    using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(parse.GetValue(o.StopGrace) + 20));
                    try
                    {
                        await p.WaitForExitAsync(wait.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        p.Kill(entireProcessTree: true);
                    }
                    p.Dispose();
                }
                await server.StopAsync().ConfigureAwait(false);
            }
            return VigilApp.Success;
        });
        return new Command("farm", "A build farm on this machine.") { up };
    }

    private static async Task<FarmServer> StartServerAsync(CliContext context, ParseResult parse, ServerOptions o, VigilDatabase database, CancellationToken ct)
    {
        var heartbeat = parse.GetValue(o.Heartbeat);
        if (heartbeat <= 0 || parse.GetValue(o.StopGrace) < 0 || parse.GetValue(o.RetryDelay) < 0 || parse.GetValue(o.Port) is < 0 or > 65535)
        {
            throw new UsageException("--heartbeat must be positive, --stop-grace and --retry-delay not negative, --port within 0..65535");
        }
        if (!System.Net.IPAddress.TryParse(parse.GetValue(o.Listen), out _))
        {
            throw new UsageException($"--listen '{parse.GetValue(o.Listen)}' is not an IP address");
        }
        var storeUri = parse.GetValue(o.Store) ?? (Environment.GetEnvironmentVariable("NIX_REMOTE") is { Length: > 0 } remote ? remote : null);
        var state = Path.GetFullPath(parse.GetValue(o.StateDir)!);
        var options = new FarmServerOptions(
            parse.GetValue(o.Listen)!,
            parse.GetValue(o.Port),
            storeUri,
            Path.Combine(state, "logs"),
            TimeSpan.FromSeconds(heartbeat),
            TimeSpan.FromSeconds(heartbeat * 3),
            TimeSpan.FromSeconds(parse.GetValue(o.StopGrace)),
            TimeSpan.FromSeconds(1))
        {
            ServerVersion = "vigil " + typeof(FarmCommands).Assembly.GetName().Version,
            RetryDelay = TimeSpan.FromSeconds(parse.GetValue(o.RetryDelay)),
        };
        var logger = new StderrLogger(context.Error, "vigil serve");
        FarmServer server;
        try
        {
            server = await FarmServer.StartAsync(database, options, logger, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new UsageException($"cannot listen on {options.Listen}:{options.Port}: {e.Message}");
        }
        await context.Out.WriteLineAsync($"vigil serve: builders connect to {server.Url} ({database.Description})").ConfigureAwait(false);
        await context.Out.FlushAsync(ct).ConfigureAwait(false);
        return server;
    }

    /// <summary>The server's periodic evaluations into its store (--store, else NIX_REMOTE), logged to stderr.</summary>
    private static PeriodicEvaluations StartEvaluations(CliContext context, ParseResult parse, ServerOptions o, VigilDatabase database) =>
        PeriodicEvaluations.Start(new JobsetEvaluator(context, database, parse.GetValue(o.Store), showProgress: false), database, context.Error, "vigil serve");

    /// <summary>Returns on the first SIGTERM or SIGINT (handled here, so the graceful stop is ours to run).</summary>
    private static async Task WaitForSignalAsync()
    {
        var signalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext signal)
        {
            signal.Cancel = true;
            signalled.TrySetResult();
        }
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        await signalled.Task.ConfigureAwait(false);
    }

    private static Command Jobset(CliContext context)
    {
        var name = new Argument<string>("NAME") { Description = "The jobset's name." };
        var expr = new Option<string>("--expr") { Description = "The Nix expression FILE whose derivations (attributes) are the jobs.", Required = true };
        var attr = new Option<string?>("--attr", "-A") { Description = "Only the jobs under this attribute path." };
        var shares = new Option<int>("--shares") { Description = "Scheduling shares: its part of build time under contention (default 100).", DefaultValueFactory = _ => 100 };
        var interval = CheckIntervalOption();
        var db = CommonOptions.Db();
        var add = new Command(
            "add",
            "Add a jobset: a Nix expression whose derivations 'vigil eval NAME' queues as builds; with --check-interval,\n" +
            "'vigil serve' (and 'vigil farm up') evaluates it every SECONDS by itself.")
        {
            name, expr, attr, shares, interval, db,
        };
        add.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(expr)!;
            if (!File.Exists(file) && !Directory.Exists(file))
            {
                throw new UsageException($"--expr '{file}' does not exist");
            }
            if (parse.GetValue(shares) < 1)
            {
                throw new UsageException("--shares must be at least 1");
            }
            var seconds = CheckInterval(parse, interval) ?? 0;
            await using var database = await VigilDatabase.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
            var jobset = await database.Farm.AddJobsetAsync(
                new JobsetSpec(DefaultProject, parse.GetValue(name)!, Path.GetFullPath(file), parse.GetValue(attr), parse.GetValue(shares), CheckInterval: seconds), ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"jobset {jobset.Name} ({jobset.Id}): {jobset.ExprFile}{(jobset.Attr is null ? "" : " -A " + jobset.Attr)}{(seconds > 0 ? $", evaluated every {seconds} s" : "")}")).ConfigureAwait(false);
            return VigilApp.Success;
        });

        var setName = new Argument<string>("NAME") { Description = "The jobset to change." };
        var setInterval = CheckIntervalOption();
        var setDb = CommonOptions.Db();
        var set = new Command("set", "Change a jobset's settings: --check-interval SECONDS (0: only 'vigil eval').") { setName, setInterval, setDb };
        set.SetAction(async (parse, ct) =>
        {
            var seconds = CheckInterval(parse, setInterval) ?? throw new UsageException("nothing to change: give --check-interval SECONDS");
            await using var database = await VigilDatabase.OpenAsync(parse.GetValue(setDb), ct).ConfigureAwait(false);
            var jobset = await database.Farm.FindJobsetAsync(DefaultProject, parse.GetValue(setName)!, ct).ConfigureAwait(false)
                ?? throw new UsageException($"no jobset '{parse.GetValue(setName)}' (add it with 'vigil jobset add')");
            await database.Farm.SetCheckIntervalAsync(jobset.Id, seconds, ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"jobset {jobset.Name} ({jobset.Id}): {(seconds > 0 ? $"evaluated every {seconds} s" : "evaluated only on demand")}")).ConfigureAwait(false);
            return VigilApp.Success;
        });
        return new Command("jobset", "Jobsets: what the farm builds.") { add, set };
    }

    private static Option<int?> CheckIntervalOption() => new("--check-interval")
    {
        Description = "Seconds between evaluations by the running server (Hydra's checkinterval; 0, the default: only 'vigil eval NAME').",
    };

    private static int? CheckInterval(ParseResult parse, Option<int?> option) =>
        parse.GetValue(option) is { } seconds
            ? seconds >= 0 ? seconds : throw new UsageException($"--check-interval must not be negative, not {seconds}")
            : null;

    private static Command Eval(CliContext context)
    {
        var name = new Argument<string>("NAME") { Description = "The jobset to evaluate." };
        var wait = new Option<bool>("--wait") { Description = "Return when every queued build has finished, and print them (exit 1 if any failed)." };
        var timeout = new Option<double>("--timeout") { Description = "With --wait: give up after this many seconds (exit 1; default: wait forever).", DefaultValueFactory = _ => 0 };
        var db = CommonOptions.Db();
        var store = CommonOptions.Store();
        var json = CommonOptions.Json();
        var eval = new Command(
            "eval",
            "Evaluate a jobset (instantiating its derivations in the server's store, --store), record its FODs as a scan\n" +
            "revision 'jobset:NAME@TIME', and queue one build per job whose outputs are not all in the store and that has\n" +
            "no build of the same drv yet. An evaluation whose jobs (attribute -> drv) equal the last one's is 'unchanged':\n" +
            "nothing is stored or queued (--wait then waits for those jobs' builds). 'vigil serve' does the same periodically.")
        {
            name, wait, timeout, db, store, json,
        };
        eval.SetAction(async (parse, ct) =>
        {
            await using var database = await VigilDatabase.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
            var jobset = await database.Farm.FindJobsetAsync(DefaultProject, parse.GetValue(name)!, ct).ConfigureAwait(false)
                ?? throw new UsageException($"no jobset '{parse.GetValue(name)}' (add it with 'vigil jobset add')");
            var result = await new JobsetEvaluator(context, database, parse.GetValue(store), showProgress: true).EvaluateAsync(jobset, ct).ConfigureAwait(false);
            foreach (var e in result.Errors)
            {
                await context.Error.WriteLineAsync($"error: {e.Attr}: {ScanCommands.FirstLine(e.Message)}").ConfigureAwait(false);
            }
            await context.Error.WriteLineAsync(result.Describe()).ConfigureAwait(false);
            var failed = result.Errors.Count > 0 || result.Error is not null;
            if (!parse.GetValue(wait))
            {
                return failed ? VigilApp.Findings : VigilApp.Success;
            }
            var seconds = parse.GetValue(timeout);
            var deadline = seconds > 0 ? DateTime.UtcNow.AddSeconds(seconds) : DateTime.MaxValue;
            IReadOnlyList<BuildRecord> builds;
            while (true)
            {
                builds = await ListBuildsAsync(database.Farm, result.BuildIds, ct).ConfigureAwait(false);
                if (builds.All(b => b.Finished) || DateTime.UtcNow > deadline)
                {
                    break;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct).ConfigureAwait(false);
            }
            await PrintBuildsAsync(context, database.Farm, builds, parse.GetValue(json), ct).ConfigureAwait(false);
            return builds.All(b => b.Finished && b.Status == BuildStatus.Succeeded) && !failed ? VigilApp.Success : VigilApp.Findings;
        });
        return eval;
    }

    /// <summary>The builds of <paramref name="ids"/> as stored now, by id.</summary>
    private static async Task<IReadOnlyList<BuildRecord>> ListBuildsAsync(FarmDatabase farm, IReadOnlyList<long> ids, CancellationToken ct)
    {
        var builds = new List<BuildRecord>();
        foreach (var id in ids.Order())
        {
            builds.Add(await farm.FindBuildAsync(id, ct).ConfigureAwait(false) ?? throw new InvalidOperationException($"build {id} is gone"));
        }
        return builds;
    }

    private static Command Builds(CliContext context)
    {
        var jobset = new Option<string?>("--jobset") { Description = "Only this jobset's builds." };
        var db = CommonOptions.Db();
        var json = CommonOptions.Json();
        var builds = new Command("builds", "List builds: job, drv, Hydra status (code and name) and every step attempt.") { jobset, db, json };
        builds.SetAction(async (parse, ct) =>
        {
            await using var database = await VigilDatabase.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
            long? jobsetId = null;
            if (parse.GetValue(jobset) is { } name)
            {
                jobsetId = (await database.Farm.FindJobsetAsync(DefaultProject, name, ct).ConfigureAwait(false) ?? throw new UsageException($"no jobset '{name}'")).Id;
            }
            var list = await database.Farm.ListJobsetBuildsAsync(jobsetId, ct).ConfigureAwait(false);
            await PrintBuildsAsync(context, database.Farm, list, parse.GetValue(json), ct).ConfigureAwait(false);
            return VigilApp.Success;
        });
        return builds;
    }

    private static async Task PrintBuildsAsync(CliContext context, FarmDatabase farm, IReadOnlyList<BuildRecord> builds, bool json, CancellationToken ct)
    {
        var steps = new Dictionary<long, IReadOnlyList<BuildStepRecord>>();
        foreach (var b in builds)
        {
            steps[b.Id] = await farm.ListStepsAsync(b.Id, ct).ConfigureAwait(false);
        }
        if (json)
        {
            await WriteJsonArrayAsync(context, w =>
            {
                foreach (var b in builds)
                {
                    w.WriteStartObject();
                    w.WriteNumber("id", b.Id);
                    w.WriteNumber("evaluation", b.EvaluationId);
                    w.WriteNumber("jobset", b.JobsetId);
                    w.WriteString("job", b.Job);
                    w.WriteString("drvPath", b.DrvPath);
                    w.WriteString("system", b.System);
                    w.WriteBoolean("finished", b.Finished);
                    WriteStatus(w, b.Status);
                    w.WriteBoolean("isCachedBuild", b.IsCachedBuild);
                    w.WriteStartArray("steps");
                    foreach (var s in steps[b.Id])
                    {
                        w.WriteStartObject();
                        w.WriteNumber("stepNr", s.StepNr);
                        w.WriteString("drvPath", s.DrvPath);
                        w.WriteString("machine", s.Machine);
                        w.WriteNumber("busy", (int)s.Busy);
                        WriteStatus(w, s.Status);
                        w.WriteString("error", s.ErrorMsg);
                        w.WriteNumber("attempt", s.Attempt);
                        if (s.PropagatedFrom is { } from)
                        {
                            w.WriteNumber("propagatedFrom", from);
                        }
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
            }, ct).ConfigureAwait(false);
            return;
        }
        foreach (var b in builds)
        {
            var status = b.Status is { } st ? $"{(int)st} {BuildStatusNames.Name(st)}" : "queued";
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"build {b.Id} {b.Job}: {status}{(b.IsCachedBuild ? " (cached)" : "")}  {b.DrvPath}")).ConfigureAwait(false);
            foreach (var s in steps[b.Id])
            {
                var ss = s.Status is { } x ? $"{(int)x} {BuildStatusNames.Name(x)}" : $"busy {(int)s.Busy}";
                await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  step {s.StepNr} attempt {s.Attempt} on {(s.Machine.Length == 0 ? "-" : s.Machine)}: {ss}  {s.DrvPath}{(s.ErrorMsg is null ? "" : "  (" + s.ErrorMsg.Split('\n')[0] + ")")}")).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A JSON array on stdout; <paramref name="writeItems"/> writes its items.</summary>
    private static async Task WriteJsonArrayAsync(CliContext context, Action<Utf8JsonWriter> writeItems, CancellationToken ct)
    {
        var stdout = await context.RawStdoutAsync().ConfigureAwait(false);
        await using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            writeItems(w);
            w.WriteEndArray();
        }
        await stdout.WriteAsync("\n"u8.ToArray(), ct).ConfigureAwait(false);
    }

    private static void WriteStatus(Utf8JsonWriter w, BuildStatus? status)
    {
        if (status is { } s)
        {
            w.WriteNumber("status", (int)s);
            w.WriteString("statusName", BuildStatusNames.Name(s));
        }
        else
        {
            w.WriteNull("status");
            w.WriteNull("statusName");
        }
    }

    private static Command Machines(CliContext context)
    {
        var db = CommonOptions.Db();
        var json = CommonOptions.Json();
        var machines = new Command("machines", "List builders as last seen: systems, features, slots.") { db, json };
        machines.SetAction(async (parse, ct) =>
        {
            await using var database = await VigilDatabase.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
            var list = await database.Farm.ListMachinesAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await WriteJsonArrayAsync(context, w =>
                {
                    foreach (var m in list)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", m.Name);
                        WriteList(w, "systems", m.Systems);
                        WriteList(w, "supportedFeatures", m.SupportedFeatures);
                        WriteList(w, "mandatoryFeatures", m.MandatoryFeatures);
                        w.WriteNumber("maxJobs", m.MaxJobs);
                        w.WriteBoolean("enabled", m.Enabled);
                        if (m.LastSeenAt is { } seen)
                        {
                            w.WriteString("lastSeenAt", seen);
                        }
                        w.WriteEndObject();
                    }
                }, ct).ConfigureAwait(false);
                return VigilApp.Success;
            }
            foreach (var m in list)
            {
                await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{m.Name}: {string.Join(',', m.Systems)}, {m.MaxJobs} slots, features [{string.Join(',', m.SupportedFeatures)}], mandatory [{string.Join(',', m.MandatoryFeatures)}], last seen {m.LastSeenAt:u}")).ConfigureAwait(false);
            }
            return VigilApp.Success;
        });
        return machines;
    }

    private static void WriteList(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }
        w.WriteEndArray();
    }

    private static Command Log(CliContext context)
    {
        var which = new Argument<string>("BUILD|BUILD/STEP") { Description = "A build id (its last step with a log) or BUILD/STEP_NR." };
        var db = CommonOptions.Db();
        var log = new Command("log", "Print a step's build log (what Nix printed on the builder).") { which, db };
        log.SetAction(async (parse, ct) =>
        {
            var text = parse.GetValue(which)!;
            var parts = text.Split('/');
            if (parts.Length > 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var buildId)
                || (parts.Length == 2 && !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                throw new UsageException($"'{text}' is not BUILD or BUILD/STEP (numbers)");
            }
            await using var database = await VigilDatabase.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
            IEnumerable<int> candidates = parts.Length == 2
                ? [int.Parse(parts[1], CultureInfo.InvariantCulture)]
                : (await database.Farm.ListStepsAsync(buildId, ct).ConfigureAwait(false)).Select(s => s.StepNr).OrderDescending();
            foreach (var stepNr in candidates)
            {
                if (await database.Farm.FindLogAsync(buildId, stepNr, ct).ConfigureAwait(false) is { } record && File.Exists(record.Location))
                {
                    var stdout = await context.RawStdoutAsync().ConfigureAwait(false);
                    await using var file = File.OpenRead(record.Location);
                    await file.CopyToAsync(stdout, ct).ConfigureAwait(false);
                    return VigilApp.Success;
                }
            }
            await context.Error.WriteLineAsync($"vigil log: no stored log for {text}").ConfigureAwait(false);
            return VigilApp.Findings;
        });
        return log;
    }
}
