using System.Diagnostics;
using Vigil.Store;
using Vigil.Store.Evaluation;

namespace Vigil.E2E.Tests.Evaluation;

/// <summary>
/// Throw-away chroot stores under one temp directory, the generated package set, and the real
/// <c>nix-instantiate</c> as oracle.
/// </summary>
public sealed class NixTestEnvironment : IDisposable
{
    private int stores;

    public NixTestEnvironment()
    {
        Root = Directory.CreateTempSubdirectory("vigil-eval-tests-");
        PackageFile = GeneratedPackageSet.Write(Root.FullName);
    }

    public static bool NixAvailable { get; } = Probe();

    public DirectoryInfo Root { get; }

    public string PackageFile { get; }

    /// <summary>A fresh, empty chroot store root.</summary>
    public string NewStoreRoot() => Path.Combine(Root.FullName, $"store{Interlocked.Increment(ref stores)}");

    public static string StoreUri(string storeRoot) => $"local?root={storeRoot}";

    public static NixProcess NixFor(string storeRoot) => new(new NixProcessOptions(Store: StoreUri(storeRoot)));

    public static StoreLocation Location(string storeRoot) => StoreLocation.Parse(StoreUri(storeRoot));

    /// <summary>Entries of the store directory other than Nix's own <c>.links</c>.</summary>
    public static string[] StoreEntries(string storeRoot)
    {
        var dir = Path.Combine(storeRoot, "nix/store");
        return Directory.Exists(dir)
            ? Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Where(n => n is not null && n[0] != '.').Select(n => n!).Order(StringComparer.Ordinal).ToArray()
            : [];
    }

    public static async Task<List<EvalEvent>> CollectAsync(IAsyncEnumerable<EvalEvent> events)
    {
        var list = new List<EvalEvent>();
        await foreach (var item in events)
        {
            list.Add(item);
        }
        return list;
    }

    /// <summary>Runs a Nix program directly (the oracle) and returns its stdout lines.</summary>
    public static async Task<string[]> RunNixAsync(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} failed: {await stderr}");
        return (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public void Dispose()
    {
        try
        {
            Root.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // Nix makes store entries read-only; also harmless.
        }
    }

    private static bool Probe()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("nix-instantiate", "--version") { RedirectStandardOutput = true });
            process!.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
