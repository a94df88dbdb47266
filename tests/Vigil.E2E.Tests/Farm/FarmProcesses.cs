using System.Diagnostics;
using System.Text.Json;
using Vigil.E2E.Tests.Support;

namespace Vigil.E2E.Tests.Farm;

/// <summary>
/// A farm of real processes for one test: <c>vigil serve</c> on a free 127.0.0.1 port with its own
/// chroot store, and builder processes each with their own chroot store. Disposing kills every
/// process it started (the whole tree) and deletes the directory.
/// </summary>
internal sealed class FarmProcesses : IAsyncDisposable
{
    private readonly List<Process> processes = [];
    private readonly List<string> serverLog = [];

    /// <summary>On <paramref name="db"/>, or (null) a SQLite file in the farm's directory.</summary>
    public FarmProcesses(string? db)
    {
        Root = Directory.CreateTempSubdirectory("vigil-farm-e2e-").FullName;
        Db = db ?? Path.Combine(Root, "vigil.db");
        Directory.CreateDirectory(ServerStoreRoot);
    }

    public string Db { get; }

    public string Root { get; }

    public string ServerStoreRoot => Path.Combine(Root, "server-store");

    public string ServerStore => "local?root=" + ServerStoreRoot;

    public Uri? Url { get; private set; }

    public Dictionary<string, Process> Builders { get; } = new(StringComparer.Ordinal);

    /// <summary>The running <c>vigil serve</c> (the latest one started).</summary>
    public Process? Server { get; private set; }

    /// <summary>A jobset NAME of <paramref name="expression"/>, the server, and builders b1 and b2.</summary>
    public async Task StartAsync(string jobset, string expression, CancellationToken ct)
    {
        await AddJobsetAsync(jobset, expression, ct);
        await StartServerAsync(ct);
        StartBuilder("b1");
        StartBuilder("b2");
    }

    /// <summary>Writes the jobset's expression to ROOT/NAME.nix and adds it; <paramref name="extra"/> are more <c>jobset add</c> options.</summary>
    public async Task AddJobsetAsync(string jobset, string expression, CancellationToken ct, params string[] extra)
    {
        var expr = Path.Combine(Root, jobset + ".nix");
        await File.WriteAllTextAsync(expr, expression, ct);
        var added = await VigilAsync(ct, ["jobset", "add", jobset, "--expr", expr, .. extra]);
        Assert.True(added.ExitCode == 0, added.Stderr);
    }

    /// <summary>A started farm (<see cref="StartAsync"/>) on <paramref name="db"/> whose jobset's builds are queued.</summary>
    public static async Task<FarmProcesses> QueuedAsync(string? db, string jobset, string expression, CancellationToken ct)
    {
        var farm = new FarmProcesses(db);
        try
        {
            await farm.StartAsync(jobset, expression, ct);
            await farm.QueueAsync(jobset, ct);
            return farm;
        }
        catch
        {
            await farm.DisposeAsync();
            throw;
        }
    }

    /// <summary>Evaluates <paramref name="jobset"/> into the server's store, queueing its builds (no waiting).</summary>
    public async Task QueueAsync(string jobset, CancellationToken ct)
    {
        var eval = await VigilAsync(ct, "eval", jobset, "--store", ServerStore);
        Assert.True(eval.ExitCode == 0, eval.Stderr);
    }

    /// <summary>The test's token, cancelled after <paramref name="limit"/> too: every farm test is bounded.</summary>
    public static CancellationTokenSource Deadline(TimeSpan limit)
    {
        var bounded = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        bounded.CancelAfter(limit);
        return bounded;
    }

    /// <summary>The finished single build of a farm whose builder <paramref name="victim"/> was lost mid-step: its attempt aborted (3), the other builder's succeeded, once.</summary>
    public static void AssertLostToOtherBuilder(JsonElement build, string victim)
    {
        Assert.Equal(0, build.GetProperty("status").GetInt32());
        var attempts = build.GetProperty("steps").EnumerateArray().ToList();
        var lost = Assert.Single(attempts, s => s.GetProperty("machine").GetString() == victim);
        Assert.Equal(3, lost.GetProperty("status").GetInt32());
        Assert.Contains("went away", lost.GetProperty("error").GetString(), StringComparison.Ordinal);
        var built = Assert.Single(attempts, s => s.GetProperty("status").GetInt32() == 0);
        Assert.NotEqual(victim, built.GetProperty("machine").GetString());
    }

    /// <summary>Starts <c>vigil serve</c> on <paramref name="port"/> (0: a free one; a restart passes <see cref="Url"/>'s).</summary>
    public async Task StartServerAsync(CancellationToken ct, int port = 0)
    {
        var server = CliRunner.Start("serve", "--db", Db, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--store", ServerStore, "--state-dir", Path.Combine(Root, "state"),
            "--heartbeat", "1", "--stop-grace", "5", "--retry-delay", "0");
        processes.Add(server);
        Server = server;
        _ = CollectLinesAsync(server.StandardError, serverLog);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var line = await server.StandardOutput.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("vigil serve printed nothing");
        var at = line.IndexOf("http://", StringComparison.Ordinal);
        Assert.True(at >= 0, line);
        Url = new Uri(line[at..].Split(' ')[0]);
    }

    /// <summary>A builder with its own chroot store and one slot; <paramref name="extra"/> are more <c>vigil builder</c> options.</summary>
    public void StartBuilder(string id, params string[] extra)
    {
        var store = Path.Combine(Root, "builder-" + id);
        Directory.CreateDirectory(store);
        var builder = CliRunner.Start(["builder", "--server", Url!.ToString(), "--id", id, "--store", "local?root=" + store, "--jobs", "1", .. extra]);
        _ = builder.StandardOutput.ReadToEndAsync();
        _ = builder.StandardError.ReadToEndAsync();
        processes.Add(builder);
        Builders[id] = builder;
    }

    /// <summary>The lines every <c>vigil serve</c> started here wrote to stderr so far.</summary>
    public IReadOnlyList<string> ServerLog
    {
        get
        {
            lock (serverLog)
            {
                return [.. serverLog];
            }
        }
    }

    /// <summary>Waits until <c>vigil serve</c> has written more than <paramref name="count"/> stderr lines matching <paramref name="match"/>; returns them.</summary>
    public async Task<IReadOnlyList<string>> WaitForServerLogAsync(Func<string, bool> match, int count, CancellationToken ct)
    {
        while (true)
        {
            var lines = ServerLog.Where(match).ToList();
            if (lines.Count > count)
            {
                return lines;
            }
            await Task.Delay(200, ct);
        }
    }

    private static async Task CollectLinesAsync(StreamReader reader, List<string> lines)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (lines)
            {
                lines.Add(line);
            }
        }
    }

    /// <summary>kill -9 of a builder and everything it started (Nix and the derivation's builder).</summary>
    public void KillBuilder(string id) => Builders[id].Kill(entireProcessTree: true);

    /// <summary>kill -9 of the server; its port and database stay for a restart.</summary>
    public async Task KillServerAsync()
    {
        Server!.Kill(entireProcessTree: true);
        await Server.WaitForExitAsync();
    }

    /// <summary>Sends <paramref name="signal"/> (e.g. STOP, CONT) to a builder and every process below it, parents first.</summary>
    public Task SignalBuilderAsync(string id, string signal) => SignalTreeAsync(Builders[id], signal);

    /// <summary>Sends <paramref name="signal"/> to the server alone (TERM: its graceful stop).</summary>
    public async Task SignalServerAsync(string signal)
    {
        using var kill = Process.Start("kill", ["-s", signal, Server!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
    }

    private static async Task SignalTreeAsync(Process root, string signal)
    {
        var pids = new List<int>();
        var pending = new Queue<int>([root.Id]);
        while (pending.TryDequeue(out var pid))
        {
            pids.Add(pid);
            foreach (var task in Directory.Exists($"/proc/{pid}/task") ? Directory.GetDirectories($"/proc/{pid}/task") : [])
            {
                var children = File.Exists(Path.Combine(task, "children")) ? await File.ReadAllTextAsync(Path.Combine(task, "children")) : "";
                foreach (var child in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    pending.Enqueue(int.Parse(child, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }
        using var kill = Process.Start("kill", ["-s", signal, .. pids.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture))])!;
        await kill.WaitForExitAsync();
    }

    /// <summary>Polls <c>vigil builds --json</c> until <paramref name="until"/> holds for the list; returns it.</summary>
    public async Task<JsonElement> WaitForBuildsAsync(Func<JsonElement, bool> until, CancellationToken ct)
    {
        while (true)
        {
            var builds = await BuildsAsync(ct);
            if (until(builds))
            {
                return builds;
            }
            await Task.Delay(300, ct);
        }
    }

    /// <summary>The machine building (busy 30) a step of any build, waiting until there is one.</summary>
    public async Task<string> WaitForBusyMachineAsync(CancellationToken ct)
    {
        string? machine = null;
        await WaitForBuildsAsync(builds =>
        {
            machine = builds.EnumerateArray().SelectMany(b => b.GetProperty("steps").EnumerateArray())
                .Where(s => s.GetProperty("status").ValueKind == JsonValueKind.Null && s.GetProperty("busy").GetInt32() == 30)
                .Select(s => s.GetProperty("machine").GetString()).FirstOrDefault();
            return machine is not null;
        }, ct);
        return machine!;
    }

    public static bool AllFinished(JsonElement builds) =>
        builds.GetArrayLength() > 0 && builds.EnumerateArray().All(b => b.GetProperty("finished").GetBoolean());

    public async Task<CliRunner.Result> VigilAsync(CancellationToken ct, params string[] args) =>
        await CliRunner.RunAsync([.. args, "--db", Db], ct);

    public async Task<JsonElement> BuildsAsync(CancellationToken ct)
    {
        var result = await VigilAsync(ct, "builds", "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in processes)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                }
                await p.WaitForExitAsync();
            }
            catch (InvalidOperationException)
            {
            }
            p.Dispose();
        }
        // Nix makes store directories read-only; ScratchStore.Delete handles that.
        Vigil.Store.ScratchStore.Delete(Root);
    }
}
