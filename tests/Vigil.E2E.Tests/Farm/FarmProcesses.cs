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

    /// <summary>A jobset NAME of <paramref name="expression"/>, the server, and builders b1 and b2.</summary>
    public async Task StartAsync(string jobset, string expression, CancellationToken ct)
    {
        var expr = Path.Combine(Root, jobset + ".nix");
        await File.WriteAllTextAsync(expr, expression, ct);
        var added = await VigilAsync(ct, "jobset", "add", jobset, "--expr", expr);
        Assert.True(added.ExitCode == 0, added.Stderr);
        await StartServerAsync(ct);
        StartBuilder("b1");
        StartBuilder("b2");
    }

    public async Task StartServerAsync(CancellationToken ct)
    {
        var server = CliRunner.Start("serve", "--db", Db, "--port", "0", "--store", ServerStore, "--state-dir", Path.Combine(Root, "state"),
            "--heartbeat", "1", "--stop-grace", "5", "--retry-delay", "0");
        processes.Add(server);
        _ = server.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var line = await server.StandardOutput.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("vigil serve printed nothing");
        var at = line.IndexOf("http://", StringComparison.Ordinal);
        Assert.True(at >= 0, line);
        Url = new Uri(line[at..].Split(' ')[0]);
    }

    public void StartBuilder(string id)
    {
        var store = Path.Combine(Root, "builder-" + id);
        Directory.CreateDirectory(store);
        var builder = CliRunner.Start("builder", "--server", Url!.ToString(), "--id", id, "--store", "local?root=" + store, "--jobs", "1");
        _ = builder.StandardOutput.ReadToEndAsync();
        _ = builder.StandardError.ReadToEndAsync();
        processes.Add(builder);
        Builders[id] = builder;
    }

    /// <summary>kill -9 of a builder and everything it started (Nix and the derivation's builder).</summary>
    public void KillBuilder(string id) => Builders[id].Kill(entireProcessTree: true);

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
