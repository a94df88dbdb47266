using System.Text;
using Vigil.Cli;

namespace Vigil.E2E.Tests.Oracle;

/// <summary>Runs the <c>vigil</c> command in-process, exactly as <c>Program</c> does, over a memory stream.</summary>
internal static class VigilCli
{
    public static async Task<VigilRun> RunAsync(params string[] args)
    {
        using var stdout = new MemoryStream();
        await using var stderr = new StringWriter();
        int code;
        await using (var context = new CliContext(stdout, stderr))
        {
            code = await VigilApp.RunAsync(args, context);
        }
        return new VigilRun(code, stdout.ToArray(), stderr.ToString());
    }
}

/// <summary>Exit code and output of one in-process <c>vigil</c> run.</summary>
internal sealed record VigilRun(int ExitCode, byte[] Stdout, string Stderr)
{
    public string StdoutText => Encoding.UTF8.GetString(Stdout);
}
