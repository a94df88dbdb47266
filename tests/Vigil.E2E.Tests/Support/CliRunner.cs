using System.Text;
using Vigil.Cli;

namespace Vigil.E2E.Tests.Support;

/// <summary>Runs the vigil command in-process, capturing stdout bytes and stderr text.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, byte[] Stdout, string Stderr)
    {
        public string StdoutText => Encoding.UTF8.GetString(Stdout);
    }

    public static async Task<Result> RunAsync(params string[] args)
    {
        using var stdout = new MemoryStream();
        using var stderr = new StringWriter();
        int code;
        await using (var context = new CliContext(stdout, stderr))
        {
            code = await VigilApp.RunAsync(args, context);
        }
        return new Result(code, stdout.ToArray(), stderr.ToString());
    }
}
