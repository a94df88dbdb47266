using System.Diagnostics;
using System.Text;

namespace Vigil.E2E.Tests.Support;

/// <summary>
/// Runs the vigil command as users do: the repository's <c>./vigil</c> launcher, which runs the
/// native (ahead-of-time compiled) binary and builds it first when the sources are newer. Stdout
/// is captured as bytes, stderr as text.
/// </summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, byte[] Stdout, string Stderr)
    {
        public string StdoutText => Encoding.UTF8.GetString(Stdout);
    }

    /// <summary>The launcher at the root of the repository these tests were built from.</summary>
    public static string Launcher { get; } = FindLauncher();

    // The first run may build the binary (minutes); the launcher lets one build at a time, and
    // waiting here once keeps every other test from sitting on that lock with its own process.
    private static readonly Lazy<Task<Result>> Built = new(() => ExecAsync(["--version"], CancellationToken.None));

    public static Task<Result> RunAsync(params string[] args) => RunAsync(args, CancellationToken.None);

    public static async Task<Result> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        await Built.Value.ConfigureAwait(false);
        return await ExecAsync(args, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts vigil as its own process (stdout and stderr redirected), e.g. to interrupt it.</summary>
    public static Process Start(params string[] args)
    {
        Built.Value.GetAwaiter().GetResult();
        return Process.Start(StartInfo(args))!;
    }

    private static async Task<Result> ExecAsync(string[] args, CancellationToken cancellationToken)
    {
        using var process = Process.Start(StartInfo(args))!;
        process.StandardInput.Close();
        using var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout, cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await copy.ConfigureAwait(false);
        var error = await stderr.ConfigureAwait(false);
        if (error.Contains("vigil: build failed", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("building vigil failed:\n" + error);
        }
        return new Result(process.ExitCode, stdout.ToArray(), error);
    }

    private static ProcessStartInfo StartInfo(string[] args)
    {
        var info = new ProcessStartInfo(Launcher)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        return info;
    }

    private static string FindLauncher()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var launcher = Path.Combine(dir.FullName, "vigil");
            if (File.Exists(launcher) && File.Exists(Path.Combine(dir.FullName, "Vigil.slnx")))
            {
                return launcher;
            }
        }
        throw new InvalidOperationException($"no ./vigil launcher above {AppContext.BaseDirectory}");
    }
}
