using System.CommandLine;

namespace Vigil.Cli.Commands;

/// <summary>
/// A command that runs until SIGTERM or SIGINT and then stops gracefully by itself (drains, lets
/// running work finish within its grace). System.CommandLine's default handler would cancel it and
/// exit with 143 after two seconds, in the middle of that stop; <see cref="VigilApp"/> turns the
/// default handler off for these commands.
/// </summary>
internal sealed class SelfStoppingCommand(string name, string description) : Command(name, description);
