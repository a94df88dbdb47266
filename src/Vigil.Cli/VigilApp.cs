using System.CommandLine;
using System.CommandLine.Parsing;
using Vigil.Cli.Commands;
using Vigil.Nix;
using Vigil.Data;
using Vigil.Store;
using Vigil.Store.Evaluation;

namespace Vigil.Cli;

/// <summary>Builds the <c>vigil</c> command tree and maps failures to the exit-code contract (0 ok, 1 findings, 2 bad input).</summary>
public static class VigilApp
{
    public const int Success = 0;
    public const int Findings = 1;
    public const int InputError = 2;

    /// <summary>Stopped by SIGINT/SIGTERM (Ctrl-C): 128 + SIGINT, as shells report it.</summary>
    public const int Interrupted = 130;

    public static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand(
            "Vigil keeps a Nix package set honest: it reads Nix's own formats natively, tracks every fixed-output\n" +
            "derivation (FOD), and checks them. Commands that read the store honour NIX_REMOTE\n" +
            "(e.g. local?root=/tmp/chroot) or --store, like nix itself.");
        root.Subcommands.Add(DrvCommands.Build(context));
        root.Subcommands.Add(HashCommand.Build(context));
        root.Subcommands.Add(NarCommands.Build(context));
        foreach (var command in ScanCommands.Build(context))
        {
            root.Subcommands.Add(command);
        }
        foreach (var command in DiffCommands.Build(context))
        {
            root.Subcommands.Add(command);
        }
        root.Subcommands.Add(VerifyCommands.Build(context));
        foreach (var command in ReleaseCommands.Build(context))
        {
            root.Subcommands.Add(command);
        }
        root.Subcommands.Add(AttestCommands.Build(context));
        root.Subcommands.Add(BuilderCommands.Build(context));
        root.Subcommands.Add(VulnCommands.Build(context));
        foreach (var command in FarmCommands.Build(context))
        {
            root.Subcommands.Add(command);
        }
        return root;
    }

    /// <summary>
    /// Tokens that look like options but name none, taken as values of a command's arguments.
    /// System.CommandLine tokenises an unknown <c>--x</c> as an argument, so a command with a
    /// variadic argument (<c>drv show DRV...</c>) would take it for a path and fail on whichever
    /// path it read first. As in getopt, <c>-</c> alone and anything after <c>--</c> are values.
    /// Option values (<c>--store -x</c>) are the option's, not checked here.
    /// </summary>
    private static List<string> UnknownOptions(ParseResult parse)
    {
        var unknown = new List<string>();
        var doubleDash = parse.Tokens.ToList().FindIndex(t => t.Type == TokenType.DoubleDash);
        var beforeDoubleDash = new HashSet<Token>(doubleDash < 0 ? parse.Tokens : parse.Tokens.Take(doubleDash), ReferenceEqualityComparer.Instance);
        for (SymbolResult? command = parse.CommandResult; command is not null; command = command.Parent)
        {
            foreach (var argument in ((CommandResult)command).Children.OfType<ArgumentResult>())
            {
                unknown.AddRange(argument.Tokens
                    .Where(t => beforeDoubleDash.Contains(t) && t.Value.Length > 1 && t.Value[0] == '-')
                    .Select(t => t.Value));
            }
        }
        return unknown;
    }

    public static async Task<int> RunAsync(string[] args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var stderr = context.Error;
        var root = BuildRoot(context);
        var parse = root.Parse(args);
        var unknown = UnknownOptions(parse);
        if (unknown.Count > 0 || parse.Errors.Count > 0)
        {
            // An unknown option comes first: it is the mistake, and anything else wrong follows from it.
            foreach (var option in unknown)
            {
                await stderr.WriteLineAsync($"vigil: unknown option '{option}'").ConfigureAwait(false);
            }
            foreach (var error in parse.Errors)
            {
                await stderr.WriteLineAsync($"vigil: {error.Message}").ConfigureAwait(false);
            }
            await stderr.WriteLineAsync("Try 'vigil --help' (or 'vigil COMMAND --help') for usage.").ConfigureAwait(false);
            return InputError;
        }
        try
        {
            var configuration = new InvocationConfiguration { Output = context.Out, Error = stderr, EnableDefaultExceptionHandler = false };
            if (parse.CommandResult.Command is SelfStoppingCommand)
            {
                configuration.ProcessTerminationTimeout = null;
            }
            return await parse.InvokeAsync(configuration).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NixFormatException or Vigil.Vuln.Feeds.FeedFormatException or StoreException or NixProcessException or VigilDatabaseException or IOException or UnauthorizedAccessException or ArgumentException or UsageException)
        {
            await context.Out.FlushAsync().ConfigureAwait(false);
            await stderr.WriteLineAsync($"vigil: {e.Message}").ConfigureAwait(false);
            return InputError;
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C or SIGTERM cancelled the command's token: one line, not a crash with a stack trace.
            // Work is committed in whole transactions, so what was stored stays and nothing half-done does.
            await context.Out.FlushAsync().ConfigureAwait(false);
            await stderr.WriteLineAsync("vigil: interrupted").ConfigureAwait(false);
            return Interrupted;
        }
    }
}
