using System.CommandLine;
using Vigil.Nix.Nar;

namespace Vigil.Cli.Commands;

/// <summary><c>vigil nar dump</c>: the NAR of a path on standard output.</summary>
internal static class NarCommands
{
    public static Command Build(CliContext context)
    {
        var nar = new Command("nar", "Nix archives (NAR).");
        nar.Subcommands.Add(BuildDump(context));
        return nar;
    }

    private static Command BuildDump(CliContext context)
    {
        var path = new Argument<string>("PATH") { Description = "File, symlink or directory to serialise." };
        var dump = new Command(
            "dump",
            "Write the NAR serialisation of PATH to standard output, byte-identical to 'nix-store --dump PATH'.\n" +
            "Symlinks are stored as links; sockets, fifos and devices are errors.") { path };
        dump.SetAction(async (parse, ct) =>
        {
            var stdout = await context.RawStdoutAsync().ConfigureAwait(false);
            NarWriter.Write(parse.GetValue(path)!, stdout, ct);
            return VigilApp.Success;
        });
        return dump;
    }
}
