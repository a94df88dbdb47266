using System.Text.Json;
using Vigil.Testing;

namespace Vigil.E2E.Tests.Farm;

/// <summary>
/// Periodic evaluation by a running <c>vigil serve</c> (a jobset added with <c>--check-interval</c>),
/// with no <c>vigil eval</c> at all: the jobset is evaluated and built; a changed job queues exactly
/// one new build; an unchanged expression adds nothing (no builds, no FOD revisions); a broken one is
/// logged and stored as a failed evaluation without stopping the server, which still stops gracefully.
/// </summary>
public sealed class FarmPeriodicTests(PostgresFixture postgres)
{
    private const string Template = """
        let
          mk = name: script: derivation { inherit name; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" script ]; };
        in rec {
          a = mk "periodic-a" "echo a > $out";
          b = mk "periodic-b" "/bin/cat ${a} > $out; echo B_TEXT >> $out";
        }
        """;

    public static TheoryData<string> Databases => ["sqlite", "postgres"];

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_running_server_evaluates_a_jobset_every_interval_and_queues_only_what_changed(string database)
    {
        Assert.SkipWhen(database == "postgres" && PostgresFixture.SkipReason is not null, PostgresFixture.SkipReason ?? "");
        using var bounded = FarmProcesses.Deadline(TimeSpan.FromMinutes(5));
        var ct = bounded.Token;
        await using var farm = new FarmProcesses(database == "postgres" ? await postgres.CreateDatabaseAsync() : null);
        var exprFile = Path.Combine(farm.Root, "periodic.nix");
        await farm.AddJobsetAsync("periodic", Template.Replace("B_TEXT", "b1", StringComparison.Ordinal), ct, "--check-interval", "2");
        await farm.StartServerAsync(ct);
        farm.StartBuilder("b1");
        farm.StartBuilder("b2");
        static bool Unchanged(string line) => line.Contains("evaluation of periodic unchanged since evaluation", StringComparison.Ordinal);

        // First periodic evaluation: both jobs built.
        var first = await farm.WaitForBuildsAsync(b => b.GetArrayLength() == 2 && FarmProcesses.AllFinished(b), ct);
        Assert.All(first.EnumerateArray(), b => Assert.Equal(0, b.GetProperty("status").GetInt32()));
        var firstB = first.EnumerateArray().Single(b => b.GetProperty("job").GetString() == "b");

        // The next checks find it unchanged: nothing queued, no revision added.
        await farm.WaitForServerLogAsync(Unchanged, 0, ct);
        Assert.Equal(2, (await farm.BuildsAsync(ct)).GetArrayLength());
        Assert.Equal(1, await JobsetRevisionsAsync(farm, ct));

        // b changes: the next evaluation queues exactly b's new build, built with one step (a is kept).
        await WriteAtomicallyAsync(exprFile, Template.Replace("B_TEXT", "b2", StringComparison.Ordinal), ct);
        var second = await farm.WaitForBuildsAsync(b => b.GetArrayLength() == 3 && FarmProcesses.AllFinished(b), ct);
        var newB = second.EnumerateArray().Single(b => b.GetProperty("id").GetInt64() > firstB.GetProperty("id").GetInt64() && b.GetProperty("job").GetString() == "b");
        Assert.NotEqual(firstB.GetProperty("drvPath").GetString(), newB.GetProperty("drvPath").GetString());
        Assert.Equal(0, newB.GetProperty("status").GetInt32());
        Assert.Single(newB.GetProperty("steps").EnumerateArray());
        Assert.Single(farm.ServerLog, l => l.Contains("1 queued, 1 already built", StringComparison.Ordinal));
        var unchanged = (await farm.WaitForServerLogAsync(Unchanged, farm.ServerLog.Count(Unchanged), ct)).Count;
        Assert.Equal(3, (await farm.BuildsAsync(ct)).GetArrayLength());
        Assert.Equal(2, await JobsetRevisionsAsync(farm, ct));

        // A broken expression: logged and stored as failed, the server goes on; fixed again, it is unchanged.
        await WriteAtomicallyAsync(exprFile, "{ broken = ", ct);
        await farm.WaitForServerLogAsync(l => l.Contains("evaluation of periodic failed", StringComparison.Ordinal) || l.Contains("of periodic failed:", StringComparison.Ordinal), 0, ct);
        await WriteAtomicallyAsync(exprFile, Template.Replace("B_TEXT", "b2", StringComparison.Ordinal), ct);
        await farm.WaitForServerLogAsync(Unchanged, farm.ServerLog.Count(Unchanged), ct);
        Assert.True(farm.ServerLog.Count(Unchanged) > unchanged);
        Assert.Equal(3, (await farm.BuildsAsync(ct)).GetArrayLength());
        Assert.Equal(2, await JobsetRevisionsAsync(farm, ct));
        Assert.False(farm.Server!.HasExited);

        // SIGTERM stops evaluating and the server exits 0.
        await farm.SignalServerAsync("TERM");
        using var stopWait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stopWait.CancelAfter(TimeSpan.FromSeconds(30));
        await farm.Server.WaitForExitAsync(stopWait.Token);
        Assert.Equal(0, farm.Server.ExitCode);
    }

    /// <summary>Replaces a file at once (the server may be reading it at any moment).</summary>
    private static async Task WriteAtomicallyAsync(string path, string text, CancellationToken ct)
    {
        await File.WriteAllTextAsync(path + ".new", text, ct);
        File.Move(path + ".new", path, overwrite: true);
    }

    /// <summary>How many scan revisions the jobset's evaluations left.</summary>
    private static async Task<int> JobsetRevisionsAsync(FarmProcesses farm, CancellationToken ct)
    {
        var listed = await farm.VigilAsync(ct, "revisions", "--json");
        Assert.True(listed.ExitCode == 0, listed.Stderr);
        return JsonDocument.Parse(listed.Stdout).RootElement.EnumerateArray().Count(r => r.GetProperty("name").GetString()!.StartsWith("jobset:periodic@", StringComparison.Ordinal));
    }
}
