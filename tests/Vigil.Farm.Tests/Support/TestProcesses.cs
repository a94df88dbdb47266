using System.Diagnostics;

namespace Vigil.Farm.Tests.Support;

/// <summary>Runs the programs the real-Nix tests need (Nix against a chroot store, chmod) and fails the test when one fails.</summary>
internal static class TestProcesses
{
    /// <summary>Runs <paramref name="program"/>, with <c>NIX_REMOTE</c> set to the chroot store at <paramref name="store"/> when given; returns its stdout.</summary>
    public static async Task<string> RunAsync(string? store, string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        if (store is not null)
        {
            info.Environment["NIX_REMOTE"] = $"local?root={store}";
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} failed: {await stderr}");
        return await stdout;
    }

    public static async Task<bool> CanRunAsync(string program, string arg)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, arg) { RedirectStandardOutput = true })!;
            await process.WaitForExitAsync();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
