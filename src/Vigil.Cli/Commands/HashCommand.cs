using System.CommandLine;

namespace Vigil.Cli.Commands;

internal static class HashCommand
{
    public static Command Build(CliContext context) => new("hash", "Print the hash of a path (NAR) or file (--flat), as nix-hash does; default sha256.");
}
