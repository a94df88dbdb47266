using System.Diagnostics;
using System.Text;
using Vigil.E2E.Tests.Support;

namespace Vigil.E2E.Tests.Nar;

/// <summary>Runs the real nix tools (the oracle) and our CLI (through <see cref="CliRunner"/>), capturing raw stdout bytes.</summary>
internal static class Tools
{
    private static readonly Lazy<string> ChrootStore = new(() =>
    {
        var root = Path.Combine(Path.GetTempPath(), "vigil-e2e-nar-store-" + Environment.ProcessId);
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(root, recursive: true);
        return root;
    });

    public static bool NixAvailable { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Any(d => File.Exists(Path.Combine(d, "nix-store")) && File.Exists(Path.Combine(d, "nix-hash")));

    public sealed record Result(int Exit, byte[] Stdout, string Stderr)
    {
        public string Text => Encoding.UTF8.GetString(Stdout);
    }

    /// <summary>A nix command against a throw-away chroot store, so the machine's store is never touched.</summary>
    public static async Task<Result> Nix(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["NIX_REMOTE"] = "local?root=" + ChrootStore.Value;
        using var process = Process.Start(start)!;
        using var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        await copy.ConfigureAwait(false);
        return new Result(process.ExitCode, stdout.ToArray(), await stderr.ConfigureAwait(false));
    }

    public static async Task<Result> Vigil(params string[] args)
    {
        var run = await CliRunner.RunAsync(args).ConfigureAwait(false);
        return new Result(run.ExitCode, run.Stdout, run.Stderr);
    }

    /// <summary>The message of a one-line error, without the program's prefix ("error: ", "vigil: ").</summary>
    public static string ErrorMessage(string stderr)
    {
        var line = stderr.TrimEnd('\n');
        Assert.DoesNotContain('\n', line);
        return line[(line.IndexOf(": ", StringComparison.Ordinal) + 2)..];
    }
}
