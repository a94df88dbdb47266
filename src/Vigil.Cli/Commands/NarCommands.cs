using System.CommandLine;

namespace Vigil.Cli.Commands;

internal static class NarCommands
{
    public static Command Build(CliContext context) => new("nar", "Nix archives (NAR).");
}
