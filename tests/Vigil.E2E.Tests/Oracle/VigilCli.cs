using System.Text;
using Vigil.E2E.Tests.Support;

namespace Vigil.E2E.Tests.Oracle;

/// <summary>Runs the <c>vigil</c> command as users do (see <see cref="CliRunner"/>).</summary>
internal static class VigilCli
{
    public static async Task<VigilRun> RunAsync(params string[] args)
    {
        var run = await CliRunner.RunAsync(args);
        return new VigilRun(run.ExitCode, run.Stdout, run.Stderr);
    }
}

/// <summary>Exit code and output of one <c>vigil</c> run.</summary>
internal sealed record VigilRun(int ExitCode, byte[] Stdout, string Stderr)
{
    public string StdoutText => Encoding.UTF8.GetString(Stdout);
}
