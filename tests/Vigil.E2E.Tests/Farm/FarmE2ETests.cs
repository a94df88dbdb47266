using System.Text.Json;
using Vigil.Testing;

namespace Vigil.E2E.Tests.Farm;

/// <summary>
/// The farm end to end, all real: <c>vigil serve</c>, two <c>vigil builder</c> processes with their
/// own chroot stores, real Nix builds of /bin/sh derivations, SQLite (and PostgreSQL), driven and
/// checked through the CLI contract (<c>jobset add</c>, <c>eval --wait --json</c>, <c>builds --json</c>, <c>log</c>).
/// </summary>
public sealed class FarmE2ETests(PostgresFixture postgres)
{
    private const string Expression = """
        let
          mk = name: script: extra: derivation ({ inherit name; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" script ]; } // extra);
        in rec {
          a = mk "e2e-a" "echo building a; echo a > $out" {};
          b = mk "e2e-b" "echo building b; /bin/cat ${a} > $out; echo b >> $out" {};
          c = mk "e2e-c" "echo building c; /bin/cat ${b} > $out; echo c >> $out" {};
          fail = mk "e2e-fail" "echo about to fail; exit 3" {};
          sleepy = mk "e2e-sleepy" "echo going to sleep; /bin/sleep 60; echo never > $out" { timeout = "3"; };
        }
        """;

    private const string SlowExpression = """
        {
          slow = derivation { name = "e2e-slow"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo slow start; /bin/sleep 8; echo slow end > $out" ]; };
        }
        """;

    public static TheoryData<string> Databases => ["sqlite", "postgres"];

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_jobset_is_evaluated_and_built_by_two_builders(string database)
    {
        Assert.SkipWhen(database == "postgres" && PostgresFixture.SkipReason is not null, PostgresFixture.SkipReason ?? "");
        using var bounded = FarmProcesses.Deadline(TimeSpan.FromMinutes(5));
        var ct = bounded.Token;
        await using var farm = new FarmProcesses(database == "postgres" ? await postgres.CreateDatabaseAsync() : null);
        await farm.StartAsync("e2e", Expression, ct);

        var eval = await farm.VigilAsync(ct, "eval", "e2e", "--wait", "--json", "--timeout", "180", "--store", farm.ServerStore);
        Assert.True(eval.ExitCode == 1, eval.Stderr); // the failing and the sleepy job fail
        var builds = JsonDocument.Parse(eval.Stdout).RootElement.EnumerateArray().ToDictionary(b => b.GetProperty("job").GetString()!);
        Assert.Equal(["a", "b", "c", "fail", "sleepy"], builds.Keys.Order(StringComparer.Ordinal));
        foreach (var job in new[] { "a", "b", "c" })
        {
            Assert.Equal(0, builds[job].GetProperty("status").GetInt32());
        }
        Assert.Equal(1, builds["fail"].GetProperty("status").GetInt32());
        Assert.Equal("failed", builds["fail"].GetProperty("statusName").GetString());
        Assert.Equal(7, builds["sleepy"].GetProperty("status").GetInt32());
        // Every step ran on one of the builders; the chain's steps are c's, b's and a's drvs.
        var steps = builds.Values.SelectMany(b => b.GetProperty("steps").EnumerateArray()).ToList();
        Assert.All(steps, s => Assert.Contains(s.GetProperty("machine").GetString(), new[] { "b1", "b2" }));
        Assert.Contains(steps, s => s.GetProperty("drvPath").GetString() == builds["c"].GetProperty("drvPath").GetString() && s.GetProperty("status").GetInt32() == 0);

        // The same through 'vigil builds' and the logs through 'vigil log'.
        var listed = await farm.BuildsAsync(ct);
        Assert.Equal(5, listed.GetArrayLength());
        var logC = await farm.VigilAsync(ct, "log", builds["c"].GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(logC.ExitCode == 0, logC.Stderr);
        Assert.Contains("building c", logC.StdoutText, StringComparison.Ordinal);
        var logFail = await farm.VigilAsync(ct, "log", builds["fail"].GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("about to fail", logFail.StdoutText, StringComparison.Ordinal);
        var machines = await farm.VigilAsync(ct, "machines", "--json");
        Assert.Equal(["b1", "b2"], JsonDocument.Parse(machines.Stdout).RootElement.EnumerateArray().Select(m => m.GetProperty("name").GetString()).Order(StringComparer.Ordinal));

        // A second evaluation of the same expression is unchanged: it stores and queues nothing.
        var again = await farm.VigilAsync(ct, "eval", "e2e", "--store", farm.ServerStore);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("unchanged since evaluation", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(5, (await farm.BuildsAsync(ct)).GetArrayLength());
    }

    [Fact]
    public async Task A_builder_killed_mid_step_loses_the_step_to_the_other_builder()
    {
        using var bounded = FarmProcesses.Deadline(TimeSpan.FromMinutes(4));
        var ct = bounded.Token;
        await using var farm = await FarmProcesses.QueuedAsync(null, "slow", SlowExpression, ct);

        // Wait until the step is being built somewhere, then kill that builder (SIGKILL, whole tree).
        var victim = await farm.WaitForBusyMachineAsync(ct);
        await Task.Delay(500, ct);
        farm.KillBuilder(victim);

        var done = (await farm.WaitForBuildsAsync(FarmProcesses.AllFinished, ct)).EnumerateArray().Single();
        FarmProcesses.AssertLostToOtherBuilder(done, victim);
    }
}
