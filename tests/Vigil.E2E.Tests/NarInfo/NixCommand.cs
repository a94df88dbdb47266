using System.ComponentModel;
using System.Diagnostics;

namespace Vigil.E2E.Tests.NarInfo;

/// <summary>Runs the real Nix tools against one throw-away chroot store, with HOME and caches inside it.</summary>
internal sealed class NixCommand(string root)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public string Root { get; } = root;

    /// <summary>The chroot store's root directory: store paths live under it, as <c>{StoreRoot}/nix/store/…</c>.</summary>
    public string StoreRoot => Path.Combine(Root, "chroot");

    /// <summary>The store as <c>--store</c> and <c>NIX_REMOTE</c> take it.</summary>
    public string StoreUri => $"local?root={StoreRoot}";

    /// <summary>Where a <c>/nix/store/…</c> path of this store is on disk.</summary>
    public string OnDisk(string storePath) => Path.Combine(StoreRoot, storePath.TrimStart('/'));

    public static bool IsInstalled()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("nix-store", "--version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (Win32Exception)
        {
            return false;
        }
    }

    public async Task<(int ExitCode, string Stdout, string Stderr)> TryRunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Root,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["NIX_REMOTE"] = StoreUri;
        // Nix keeps a narinfo cache and settings under HOME; a shared one would leak between runs.
        start.Environment["HOME"] = Path.Combine(Root, "home");
        start.Environment["XDG_CACHE_HOME"] = Path.Combine(Root, "home", ".cache");
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(Root, "home", ".config");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public async Task<string> RunAsync(string program, params string[] args)
    {
        var (exitCode, stdout, stderr) = await TryRunAsync(program, args);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {exitCode}: {stderr}");
        }
        return stdout;
    }

    /// <summary>The new CLI, which Nix 2.8 keeps behind an experimental feature.</summary>
    public Task<string> RunNixAsync(params string[] args) => RunAsync("nix", ["--extra-experimental-features", "nix-command", .. args]);

    public Task<(int ExitCode, string Stdout, string Stderr)> TryRunNixAsync(params string[] args) =>
        TryRunAsync("nix", ["--extra-experimental-features", "nix-command", .. args]);
}
