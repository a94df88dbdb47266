using System.Text.Json;
using Vigil.Testing;

namespace Vigil.E2E.Tests.Farm;

/// <summary>
/// The farm's faults and feature routing with real processes (issue 7): the server killed and
/// restarted mid-run, a builder that stops answering, and builders with supported and mandatory
/// system features. Same set-up as <see cref="FarmE2ETests"/> (<see cref="FarmProcesses"/>).
/// </summary>
public sealed class FarmFaultTests(PostgresFixture postgres)
{
    private const string Mk = """mk = name: script: extra: derivation ({ inherit name; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" script ]; } // extra);""";

    // Long enough that the server is killed while steps run, short enough to finish soon after.
    private const string RestartExpression = "let " + Mk + """
        in rec {
          a = mk "restart-a" "echo a; /bin/sleep 3; echo a > $out" {};
          b = mk "restart-b" "echo b; /bin/sleep 2; /bin/cat ${a} > $out" {};
          c = mk "restart-c" "echo c; /bin/sleep 3; echo c > $out" {};
          d = mk "restart-d" "echo d; /bin/sleep 3; echo d > $out" {};
          e = mk "restart-e" "echo e; /bin/sleep 2; /bin/cat ${c} ${d} > $out" {};
        }
        """;

    private const string SlowExpression = "let " + Mk + """
        in {
          slow = mk "stopped-slow" "echo slow start; /bin/sleep 8; echo slow end > $out" {};
        }
        """;

    private const string GracefulExpression = "let " + Mk + """
        in {
          quick = mk "graceful-quick" "echo quick; /bin/sleep 2; echo quick > $out" {};
          long = mk "graceful-long" "echo long; /bin/sleep 12; echo long > $out" {};
        }
        """;

    private const string FeatureExpression = "let " + Mk + """
        in {
          kvm = mk "feature-kvm" "echo kvm > $out" { requiredSystemFeatures = [ "kvm" ]; };
          big = mk "feature-big" "echo big > $out" { requiredSystemFeatures = [ "big-parallel" ]; };
          p1 = mk "feature-p1" "/bin/sleep 1; echo p1 > $out" {};
          p2 = mk "feature-p2" "/bin/sleep 1; echo p2 > $out" {};
          p3 = mk "feature-p3" "/bin/sleep 1; echo p3 > $out" {};
          p4 = mk "feature-p4" "/bin/sleep 1; echo p4 > $out" {};
        }
        """;

    [Theory]
    [MemberData(nameof(FarmE2ETests.Databases), MemberType = typeof(FarmE2ETests))]
    public async Task A_server_killed_mid_run_and_restarted_on_the_same_database_finishes_every_build_once(string database)
    {
        Assert.SkipWhen(database == "postgres" && PostgresFixture.SkipReason is not null, PostgresFixture.SkipReason ?? "");
        using var bounded = FarmProcesses.Deadline(TimeSpan.FromMinutes(4));
        var ct = bounded.Token;
        await using var farm = await FarmProcesses.QueuedAsync(database == "postgres" ? await postgres.CreateDatabaseAsync() : null, "restart", RestartExpression, ct);
        var queued = (await farm.BuildsAsync(ct)).EnumerateArray().Select(b => b.GetProperty("id").GetInt64()).Order().ToList();
        Assert.Equal(5, queued.Count);

        await farm.WaitForBusyMachineAsync(ct);
        await Task.Delay(500, ct);
        await farm.KillServerAsync();
        // Work was left: what finishes from here on was built after the restart, by the builders that reconnected.
        var atKill = await farm.BuildsAsync(ct);
        Assert.False(FarmProcesses.AllFinished(atKill));
        Assert.Contains(atKill.EnumerateArray().SelectMany(b => b.GetProperty("steps").EnumerateArray()), s => s.GetProperty("status").ValueKind == JsonValueKind.Null);
        await Task.Delay(1500, ct);
        await farm.StartServerAsync(ct, farm.Url!.Port);

        var builds = await farm.WaitForBuildsAsync(FarmProcesses.AllFinished, ct);
        Assert.Equal(queued, builds.EnumerateArray().Select(b => b.GetProperty("id").GetInt64()).Order());
        Assert.All(builds.EnumerateArray(), b => Assert.True(b.GetProperty("status").GetInt32() == 0, b.ToString()));
        var rows = builds.EnumerateArray()
            .SelectMany(b => b.GetProperty("steps").EnumerateArray().Select(s => (Build: b.GetProperty("id").GetInt64(), Step: s)))
            .ToList();
        // One row per attempt: no step number twice in a build, no derivation built successfully twice.
        Assert.Equal(rows.Count, rows.Select(r => (r.Build, r.Step.GetProperty("stepNr").GetInt32())).Distinct().Count());
        var successes = rows.Where(r => r.Step.GetProperty("status").ValueKind == JsonValueKind.Number && r.Step.GetProperty("status").GetInt32() == 0)
            .Select(r => r.Step.GetProperty("drvPath").GetString()).ToList();
        Assert.Equal(successes.Count, successes.Distinct(StringComparer.Ordinal).Count());
        Assert.All(rows, r => Assert.NotEqual(JsonValueKind.Null, r.Step.GetProperty("status").ValueKind));
        // The same builder processes reconnected under their ids.
        Assert.All(farm.Builders.Values, p => Assert.False(p.HasExited));
        var machines = await farm.VigilAsync(ct, "machines", "--json");
        Assert.Equal(["b1", "b2"], JsonDocument.Parse(machines.Stdout).RootElement.EnumerateArray().Select(m => m.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_builder_that_stops_answering_is_expired_and_its_step_built_by_the_other()
    {
        using var bounded = FarmProcesses.Deadline(TimeSpan.FromMinutes(4));
        var ct = bounded.Token;
        await using var farm = await FarmProcesses.QueuedAsync(null, "stopped", SlowExpression, ct);

        var victim = await farm.WaitForBusyMachineAsync(ct);
        await farm.SignalBuilderAsync(victim, "STOP");
        try
        {
            var done = (await farm.WaitForBuildsAsync(FarmProcesses.AllFinished, ct)).EnumerateArray().Single();
            FarmProcesses.AssertLostToOtherBuilder(done, victim);
        }
        finally
        {
            await farm.SignalBuilderAsync(victim, "CONT");
        }

        // Woken up, the old builder reconnects and may report its stale attempt: nothing is recorded twice.
        await Task.Delay(TimeSpan.FromSeconds(10), ct);
        FarmProcesses.AssertLostToOtherBuilder((await farm.BuildsAsync(ct)).EnumerateArray().Single(), victim);
    }

    [Fact]
    public async Task Steps_go_only_to_builders_with_their_features_and_a_mandatory_builder_takes_nothing_else()
    {
        using var bounded = FarmProcesses.Deadline(TimeSpan.FromMinutes(4));
        var ct = bounded.Token;
        await using var farm = new FarmProcesses(null);
        await farm.AddJobsetAsync("features", FeatureExpression, ct);
        await farm.StartServerAsync(ct);
        // Nix itself refuses a derivation whose features its system-features lack.
        farm.StartBuilder("kvm", "--features", "kvm", "--nix-option", "system-features=kvm");
        farm.StartBuilder("big", "--mandatory-features", "big-parallel", "--nix-option", "system-features=big-parallel");

        var eval = await farm.VigilAsync(ct, "eval", "features", "--wait", "--json", "--timeout", "180", "--store", farm.ServerStore);
        Assert.True(eval.ExitCode == 0, eval.Stderr + eval.StdoutText);
        var builds = JsonDocument.Parse(eval.Stdout).RootElement.EnumerateArray().ToDictionary(b => b.GetProperty("job").GetString()!);
        Assert.Equal(["big", "kvm", "p1", "p2", "p3", "p4"], builds.Keys.Order(StringComparer.Ordinal));
        foreach (var (job, build) in builds)
        {
            Assert.Equal(0, build.GetProperty("status").GetInt32());
            var expected = job == "big" ? "big" : "kvm";
            Assert.All(build.GetProperty("steps").EnumerateArray(), s => Assert.Equal(expected, s.GetProperty("machine").GetString()));
            Assert.NotEmpty(build.GetProperty("steps").EnumerateArray());
        }
    }

    [Fact]
    public async Task A_PostgreSQL_restarted_mid_run_is_reconnected_and_every_build_finishes_once()
    {
        Assert.SkipWhen(PostgresServer.FindBinDir() is null, "PostgreSQL binaries are absent (scripts/install-deps.sh installs them)");
        using var bounded = FarmProcesses.Deadline(TimeSpan.FromMinutes(4));
        var ct = bounded.Token;
        // A PostgreSQL of its own: the shared one (PostgresFixture) serves other tests meanwhile.
        await using var pg = await PostgresServer.StartAsync(PostgresServer.FindBinDir()!);
        await using var farm = await FarmProcesses.QueuedAsync(pg.AdminConnectionString, "pgrestart", RestartExpression, ct);
        var queued = (await farm.BuildsAsync(ct)).GetArrayLength();

        await farm.WaitForBusyMachineAsync(ct);
        await pg.StopAsync();
        // Long enough for steps to finish (and their results to wait) while the database is away.
        await Task.Delay(4000, ct);
        await pg.StartAgainAsync();

        var builds = await farm.WaitForBuildsAsync(FarmProcesses.AllFinished, ct);
        Assert.Equal(queued, builds.GetArrayLength());
        Assert.All(builds.EnumerateArray(), b => Assert.True(b.GetProperty("status").GetInt32() == 0, b.ToString()));
        var successes = builds.EnumerateArray().SelectMany(b => b.GetProperty("steps").EnumerateArray())
            .Where(s => s.GetProperty("status").ValueKind == JsonValueKind.Number && s.GetProperty("status").GetInt32() == 0)
            .Select(s => s.GetProperty("drvPath").GetString()).ToList();
        Assert.Equal(successes.Count, successes.Distinct(StringComparer.Ordinal).Count());
        Assert.False(farm.Server!.HasExited);
    }

    [Fact]
    public async Task A_graceful_stop_lets_short_steps_finish_aborts_the_rest_and_the_restarted_server_builds_them()
    {
        using var bounded = FarmProcesses.Deadline(TimeSpan.FromMinutes(4));
        var ct = bounded.Token;
        // The server's --stop-grace is 5 s: "quick" ends within it, "long" does not.
        await using var farm = await FarmProcesses.QueuedAsync(null, "graceful", GracefulExpression, ct);
        await farm.WaitForBuildsAsync(builds => builds.EnumerateArray().SelectMany(b => b.GetProperty("steps").EnumerateArray())
            .Count(s => s.GetProperty("status").ValueKind == JsonValueKind.Null && s.GetProperty("busy").GetInt32() == 30) == 2, ct);

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await farm.SignalServerAsync("TERM");
        using (var exit = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            exit.CancelAfter(TimeSpan.FromSeconds(30));
            await farm.Server!.WaitForExitAsync(exit.Token);
        }
        Assert.Equal(0, farm.Server.ExitCode);
        Assert.InRange(stopping.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(25));
        var stopped = (await farm.BuildsAsync(ct)).EnumerateArray().ToDictionary(b => b.GetProperty("job").GetString()!);
        Assert.True(stopped["quick"].GetProperty("finished").GetBoolean(), stopped["quick"].ToString());
        Assert.Equal(0, stopped["quick"].GetProperty("status").GetInt32());
        Assert.False(stopped["long"].GetProperty("finished").GetBoolean(), stopped["long"].ToString());
        var aborted = Assert.Single(stopped["long"].GetProperty("steps").EnumerateArray());
        Assert.Equal(3, aborted.GetProperty("status").GetInt32());
        // No step left marked busy by the stopped server.
        Assert.All(stopped.Values.SelectMany(b => b.GetProperty("steps").EnumerateArray()), s => Assert.NotEqual(JsonValueKind.Null, s.GetProperty("status").ValueKind));

        // The builders were told to drain; the restarted server welcomes them and gets "long" built.
        await farm.StartServerAsync(ct, farm.Url!.Port);
        var builds = await farm.WaitForBuildsAsync(FarmProcesses.AllFinished, ct);
        Assert.All(builds.EnumerateArray(), b => Assert.True(b.GetProperty("status").GetInt32() == 0, b.ToString()));
        Assert.All(farm.Builders.Values, p => Assert.False(p.HasExited));
    }
}
