using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Builder.Tests.Support;
using Vigil.Protocol.V1;

namespace Vigil.Builder.Tests;

/// <summary>
/// A real builder (in process) against the server test double, with real Nix in two chroot
/// stores: the server's (drvs instantiated, the dependency built there) and the builder's (empty
/// at first), so inputs and outputs really cross the protocol.
/// </summary>
public sealed class BuilderFarmTests : IAsyncLifetime
{
    private readonly string marker = Random.Shared.Next(7_000_000, 8_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
    private NixTestStore serverStore = null!;
    private NixTestStore builderStore = null!;
    private FarmServerDouble server = null!;
    private string expression = "";

    public async ValueTask InitializeAsync()
    {
        Assert.SkipUnless(NixTestStore.NixAvailable, "nix-store is not installed");
        serverStore = new NixTestStore("server");
        builderStore = new NixTestStore("builder");
        expression = Expressions.Farm(marker);
        server = new FarmServerDouble(serverStore);
        await server.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
        serverStore?.Dispose();
        builderStore?.Dispose();
    }

    private BuilderAgent NewBuilder(string id = "builder-1", int jobs = 2, TimeSpan? grace = null) => new(
        new BuilderOptions(server.Url, id, builderStore.Uri, jobs, ["x86_64-linux"], ["big-parallel"], [])
        {
            NixOptions = BuilderOptions.ForChrootStore,
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(200),
            ReconnectMaxDelay = TimeSpan.FromSeconds(2),
            KillGrace = TimeSpan.FromSeconds(2),
            ShutdownGrace = grace ?? TimeSpan.FromSeconds(30),
            ResultFlushTimeout = TimeSpan.FromSeconds(5),
        },
        NullLogger.Instance);

    /// <summary>A step's status, and on a mismatch why it ended and the end of its log: a flake must say what happened.</summary>
    private void AssertStatus(StepStatus expected, StepFinished result)
    {
        if (result.Status != expected)
        {
            var log = Encoding.UTF8.GetString(server.Log(result.StepId));
            Assert.Fail($"step {result.StepId}: expected {expected}, got {result.Status} (exit {result.ExitCode}): {result.ErrorMessage}\nlog tail:\n{log[Math.Max(0, log.Length - 2000)..]}");
        }
    }

    private async Task<string> Drv(string attr) => await serverStore.InstantiateAsync(expression, attr);

    [Fact]
    public async Task Builds_a_chain_fetching_the_input_and_uploading_outputs_that_match_a_reference_build()
    {
        var dep = await Drv("dep");
        var top = await Drv("top");
        await serverStore.RunAsync("nix-store", "--realise", dep);
        using var builder = NewBuilder();
        using var stop = new CancellationTokenSource();
        var run = builder.RunAsync(stop.Token);
        var join = await FarmServerDouble.WaitAsync(() => server.Joins.FirstOrDefault(), TimeSpan.FromSeconds(30), "join");
        Assert.Equal("builder-1", join.BuilderId);
        Assert.Equal("/nix/store", join.StoreDir);
        Assert.Equal(["x86_64-linux"], join.Systems);
        Assert.Equal(2u, join.MaxJobs);
        // The store exists before the first step: its first use by concurrent steps raced in Nix (NixStoreClient.OpenAsync).
        Assert.True(File.Exists(Path.Combine(builderStore.Root, "nix/var/nix/db/db.sqlite")), "the builder opened its store before joining");

        var request = await server.RequestAsync("step-top", top);
        server.Send(new ServerMessage { Build = request });
        var started = await server.WaitStartedAsync("step-top");
        Assert.True(started.FetchedBytes > 0, "the input and the drvs came from the server");
        var result = await server.WaitFinishedAsync("step-top");
        AssertStatus(StepStatus.Success, result);
        Assert.Equal(0, result.ExitCode);

        var log = Encoding.UTF8.GetString(server.Log("step-top"));
        Assert.Contains("building top", log, StringComparison.Ordinal);
        Assert.Contains("top done", log, StringComparison.Ordinal);
        Assert.Equal((ulong)Encoding.UTF8.GetByteCount(log), result.LogBytes);

        // The reference build: the server builds the same drv in its own store.
        await serverStore.RunAsync("nix-store", "--realise", top);
        Assert.Equal(["doc", "out"], result.Outputs.Select(o => o.Name).Order(StringComparer.Ordinal));
        foreach (var output in result.Outputs)
        {
            var uploaded = server.Uploads[output.Path];
            Assert.Equal(output.NarSha256.ToByteArray(), uploaded.Sha256);
            Assert.Equal(await builderStore.DumpSha256Async(output.Path), uploaded.Sha256);
            Assert.Equal(await serverStore.DumpSha256Async(output.Path), uploaded.Sha256);
            Assert.Equal(top, output.Deriver);
            Assert.Equal((await serverStore.LinesAsync("nix-store", "--query", "--references", output.Path)).Order(StringComparer.Ordinal), output.References);
        }

        // What was uploaded imports into a third store and verifies there.
        using var check = new NixTestStore("check");
        var closure = await serverStore.LinesAsync("nix-store", "--query", "--requisites", "--include-outputs", top);
        var (exportExit, export, exportErr) = await serverStore.RunRawAsync("nix-store", null, ["--export", .. closure.Where(p => !server.Uploads.ContainsKey(p))]);
        Assert.True(exportExit == 0, exportErr);
        var (importExit, _, importErr) = await check.RunRawAsync("nix-store", export, "--import");
        Assert.True(importExit == 0, importErr);
        var outputsInOrder = result.Outputs.Select(o => o.Path).OrderBy(p => result.Outputs.Single(o => o.Path == p).References.Count(r => server.Uploads.ContainsKey(r) && r != p)).ToList();
        (importExit, _, importErr) = await check.RunRawAsync("nix-store", await server.ExportUploadsAsync(outputsInOrder), "--import");
        Assert.True(importExit == 0, importErr);
        foreach (var output in result.Outputs)
        {
            var hash = (await check.LinesAsync("nix-store", "--query", "--hash", output.Path)).Single();
            Assert.Equal("sha256:" + Vigil.Nix.Hashing.Nix32.Encode(output.NarSha256.ToByteArray()), hash);
        }

        var heartbeat = await FarmServerDouble.WaitAsync(() => server.Heartbeats.LastOrDefault(), TimeSpan.FromSeconds(10), "a heartbeat");
        Assert.True(heartbeat.MemoryTotalBytes > 0);
        Assert.True(heartbeat.StoreTotalBytes > 0);
        Assert.True(heartbeat.Load1 >= 0);
        Assert.Equal(File.Exists("/proc/pressure/cpu"), heartbeat.CpuPressure is not null);

        await stop.CancelAsync();
        Assert.Equal(BuilderExit.Stopped, await run.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_failing_build_is_a_build_failure_with_the_log_tail()
    {
        var fail = await Drv("fail");
        using var builder = NewBuilder();
        using var stop = new CancellationTokenSource();
        var run = builder.RunAsync(stop.Token);
        await FarmServerDouble.WaitAsync(() => server.Joins.FirstOrDefault(), TimeSpan.FromSeconds(30), "join");
        server.Send(new ServerMessage { Build = await server.RequestAsync("step-fail", fail) });
        var result = await server.WaitFinishedAsync("step-fail");
        AssertStatus(StepStatus.BuildFailure, result);
        Assert.Equal(100, result.ExitCode);
        Assert.Contains("failed with exit code 3", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("second line", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(result.Outputs);
        Assert.Contains("about to fail", Encoding.UTF8.GetString(server.Log("step-fail")), StringComparison.Ordinal);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Timeout_max_silent_log_limit_and_abort_kill_the_build_and_leave_no_process()
    {
        var ticking = await Drv("ticking");
        var silent = await Drv("silent");
        var chatty = await Drv("chatty");
        using var builder = NewBuilder();
        using var stop = new CancellationTokenSource();
        var run = builder.RunAsync(stop.Token);
        await FarmServerDouble.WaitAsync(() => server.Joins.FirstOrDefault(), TimeSpan.FromSeconds(30), "join");

        var timeout = await server.RequestAsync("step-timeout", ticking);
        timeout.TimeoutSeconds = 3;
        timeout.MaxSilentSeconds = 60;
        var quiet = await server.RequestAsync("step-silent", silent);
        quiet.MaxSilentSeconds = 3;
        quiet.TimeoutSeconds = 120;
        var limited = await server.RequestAsync("step-log", chatty);
        limited.MaxLogBytes = 10_000;
        server.Send(new ServerMessage { Build = timeout });
        server.Send(new ServerMessage { Build = quiet });
        server.Send(new ServerMessage { Build = limited });

        var timedOut = await server.WaitFinishedAsync("step-timeout");
        AssertStatus(StepStatus.Timeout, timedOut);
        Assert.Equal(-1, timedOut.ExitCode);
        Assert.Contains("tick", Encoding.UTF8.GetString(server.Log("step-timeout")), StringComparison.Ordinal);
        var wentSilent = await server.WaitFinishedAsync("step-silent");
        AssertStatus(StepStatus.MaxSilent, wentSilent);
        var tooLong = await server.WaitFinishedAsync("step-log");
        AssertStatus(StepStatus.LogLimit, tooLong);
        Assert.Equal(10_000, server.Log("step-log").Length);

        // Abort: the server changes its mind about a running step.
        var aborted = await server.RequestAsync("step-abort", silent);
        server.Send(new ServerMessage { Build = aborted });
        await server.WaitStartedAsync("step-abort");
        await FarmServerDouble.WaitAsync(() => server.Log("step-abort") is { Length: > 0 } l && Encoding.UTF8.GetString(l).Contains("going quiet", StringComparison.Ordinal) ? "" : null, TimeSpan.FromSeconds(60), "the abort step's log");
        server.Send(new ServerMessage { Abort = new Abort { StepId = "step-abort", Reason = "cancelled by the test" } });
        var abortResult = await server.WaitFinishedAsync("step-abort");
        AssertStatus(StepStatus.Aborted, abortResult);
        Assert.Contains("cancelled by the test", abortResult.ErrorMessage, StringComparison.Ordinal);

        await FarmServerDouble.WaitAsync(() => SleepersAlive(marker) == 0 ? "" : null, TimeSpan.FromSeconds(10), "the builds' processes to be gone");
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task An_output_over_the_limit_is_an_output_limit_failure()
    {
        var big = await Drv("big");
        using var builder = NewBuilder();
        using var stop = new CancellationTokenSource();
        var run = builder.RunAsync(stop.Token);
        await FarmServerDouble.WaitAsync(() => server.Joins.FirstOrDefault(), TimeSpan.FromSeconds(30), "join");
        var request = await server.RequestAsync("step-big", big);
        request.MaxOutputBytes = 10_000;
        server.Send(new ServerMessage { Build = request });
        var result = await server.WaitFinishedAsync("step-big");
        AssertStatus(StepStatus.OutputLimit, result);
        Assert.Empty(server.Uploads);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Survives_a_server_restart_mid_build_and_re_reports_unacknowledged_results()
    {
        var slow = await Drv("slow");
        var dep = await Drv("dep");
        using var builder = NewBuilder();
        using var stop = new CancellationTokenSource();
        var run = builder.RunAsync(stop.Token);
        await FarmServerDouble.WaitAsync(() => server.Joins.FirstOrDefault(), TimeSpan.FromSeconds(30), "join");

        // 1. A result the server received but did not acknowledge (it "crashed" before recording it).
        server.AckResults = false;
        server.Send(new ServerMessage { Build = await server.RequestAsync("step-unacked", dep) });
        var first = await server.WaitFinishedAsync("step-unacked");
        AssertStatus(StepStatus.Success, first);

        // 2. A step running while the server goes away; it finishes while nobody listens.
        server.Send(new ServerMessage { Build = await server.RequestAsync("step-slow", slow) });
        await server.WaitStartedAsync("step-slow");
        await server.StopAsync();
        server.Finished.Clear();
        server.Uploads.Clear();
        var connectionsBefore = builder.Connections;
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.True(builder.Connections > connectionsBefore, "the builder kept trying to reconnect");

        server.AckResults = true;
        await server.StartAsync();
        var rejoin = await FarmServerDouble.WaitAsync(() => server.Joins.Skip(1).LastOrDefault(), TimeSpan.FromSeconds(30), "a second join");
        Assert.Equal("builder-1", rejoin.BuilderId);
        Assert.Contains("step-unacked", rejoin.UnacknowledgedStepIds);
        var again = await server.WaitFinishedAsync("step-unacked");
        Assert.Equal(first.Outputs, again.Outputs);
        var slowResult = await server.WaitFinishedAsync("step-slow");
        AssertStatus(StepStatus.Success, slowResult);
        Assert.True(server.Uploads.ContainsKey(slowResult.Outputs.Single().Path), "the output was uploaded after the restart");

        await stop.CancelAsync();
        Assert.Equal(BuilderExit.Stopped, await run.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_drain_lasts_until_the_next_welcome_so_a_restarted_server_gets_steps_built_again()
    {
        var dep = await Drv("dep");
        using var builder = NewBuilder();
        using var stop = new CancellationTokenSource();
        var run = builder.RunAsync(stop.Token);
        await FarmServerDouble.WaitAsync(() => server.Joins.FirstOrDefault(), TimeSpan.FromSeconds(30), "join");
        server.Send(new ServerMessage { Drain = new Drain() });
        server.Send(new ServerMessage { Build = await server.RequestAsync("step-refused", dep) });
        var refused = await server.WaitFinishedAsync("step-refused");
        Assert.Equal(StepStatus.Transient, refused.Status);

        // The stopping server goes; the next one welcomes the builder and sends work.
        await server.StopAsync();
        await server.StartAsync();
        await FarmServerDouble.WaitAsync(() => server.Joins.Skip(1).LastOrDefault(), TimeSpan.FromSeconds(30), "a second join");
        server.Send(new ServerMessage { Build = await server.RequestAsync("step-after", dep) });
        var after = await server.WaitFinishedAsync("step-after");
        Assert.True(after.Status == StepStatus.Success, after.ErrorMessage);

        await stop.CancelAsync();
        Assert.Equal(BuilderExit.Stopped, await run.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_rejected_builder_stops()
    {
        server.RejectWith = "store dir /gnu/store does not match /nix/store";
        using var builder = NewBuilder();
        var exit = await builder.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(BuilderExit.Rejected, exit);
        Assert.Single(server.Joins);
    }

    [Fact]
    public async Task Graceful_stop_finishes_running_steps_within_the_grace_then_aborts()
    {
        var slow = await Drv("slow");
        var silent = await Drv("silent");
        using var builder = NewBuilder(grace: TimeSpan.FromSeconds(20));
        using var stop = new CancellationTokenSource();
        var run = builder.RunAsync(stop.Token);
        await FarmServerDouble.WaitAsync(() => server.Joins.FirstOrDefault(), TimeSpan.FromSeconds(30), "join");
        server.Send(new ServerMessage { Build = await server.RequestAsync("step-slow", slow) });
        await server.WaitStartedAsync("step-slow");
        await stop.CancelAsync();
        Assert.Equal(BuilderExit.Stopped, await run.WaitAsync(TimeSpan.FromSeconds(60)));
        AssertStatus(StepStatus.Success, server.Finished["step-slow"]);

        // A second builder whose step outlives the grace: aborted, reported, gone.
        using var second = NewBuilder(id: "builder-2", grace: TimeSpan.FromSeconds(1));
        using var stop2 = new CancellationTokenSource();
        var run2 = second.RunAsync(stop2.Token);
        await FarmServerDouble.WaitAsync(() => server.Joins.FirstOrDefault(j => j.BuilderId == "builder-2"), TimeSpan.FromSeconds(30), "join");
        server.Send(new ServerMessage { Build = await server.RequestAsync("step-quiet", silent) });
        await server.WaitStartedAsync("step-quiet");
        await stop2.CancelAsync();
        Assert.Equal(BuilderExit.Stopped, await run2.WaitAsync(TimeSpan.FromSeconds(60)));
        AssertStatus(StepStatus.Aborted, server.Finished["step-quiet"]);
        await FarmServerDouble.WaitAsync(() => SleepersAlive(marker) == 0 ? "" : null, TimeSpan.FromSeconds(10), "the build's processes to be gone");
    }

    /// <summary>Processes running <c>sleep MARKER</c>: the test's builders, if any survived.</summary>
    private static int SleepersAlive(string marker)
    {
        var count = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (cmdline.Contains("sleep\0" + marker, StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone while listing.
            }
        }
        return count;
    }
}
