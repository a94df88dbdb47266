using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Vigil.Store;

namespace Vigil.Cli.Commands;

/// <summary><c>vigil drv show</c> and <c>vigil drv check</c>.</summary>
internal static class DrvCommands
{
    public static Command Build(CliContext context)
    {
        var drv = new Command("drv", "Read derivations (.drv files) natively.");
        drv.Subcommands.Add(BuildShow(context));
        drv.Subcommands.Add(BuildCheck(context));
        return drv;
    }

    private static Argument<string[]> Paths() => new("DRV")
    {
        Description = "Store paths of .drv files (or their real file paths inside the store).",
        Arity = ArgumentArity.OneOrMore,
    };

    private static Option<bool> Recursive(string what) => new("--recursive", "-r") { Description = what };

    private static Command BuildShow(CliContext context)
    {
        var paths = Paths();
        var recursive = Recursive("Include every derivation in the closure.");
        var store = CommonOptions.Store();
        var show = new Command("show", "Print derivations as JSON, identical to 'nix show-derivation [-r]' of Nix 2.8.") { paths, recursive, store };
        show.SetAction(async (parse, ct) =>
        {
            var location = CommonOptions.ResolveStore(parse.GetValue(store));
            var reader = new DerivationReader(location);
            var roots = parse.GetValue(paths)!.Select(p => location.ToStorePath(WithoutOutputs(p))).ToList();
            var stdout = await context.RawStdoutAsync().ConfigureAwait(false);
            await ShowDerivationWriter.WriteAsync(stdout, reader, roots, parse.GetValue(recursive), ct).ConfigureAwait(false);
            return VigilApp.Success;
        });
        return show;
    }

    private static Command BuildCheck(CliContext context)
    {
        var paths = Paths();
        var recursive = Recursive("Check every derivation in the closure.");
        var store = CommonOptions.Store();
        var json = CommonOptions.Json();
        var check = new Command(
            "check",
            "Re-derive each derivation's .drv path and output paths from its ATerm, as Nix would, and list every mismatch.\n" +
            "Exit 0 when all agree, 1 when any differs, 2 when a derivation cannot be read.") { paths, recursive, store, json };
        check.SetAction(async (parse, ct) =>
        {
            var location = CommonOptions.ResolveStore(parse.GetValue(store));
            var reader = new DerivationReader(location);
            var roots = parse.GetValue(paths)!.Select(p => location.ToStorePath(WithoutOutputs(p))).ToList();
            var checker = new DerivationChecker(reader, roots, parse.GetValue(recursive), location.StoreDir);
            var mismatches = checker.CheckAll(ct);
            if (parse.GetValue(json))
            {
                var stdout = await context.RawStdoutAsync().ConfigureAwait(false);
                await JsonSerializer.SerializeAsync(stdout, mismatches, CliJsonContext.Default.IReadOnlyListDrvMismatch, ct).ConfigureAwait(false);
                await stdout.WriteAsync("\n"u8.ToArray(), ct).ConfigureAwait(false);
            }
            else
            {
                foreach (var m in mismatches)
                {
                    await context.Out.WriteLineAsync($"{m.DrvPath}: {m.What}: found {Show(m.Found)}, expected {Show(m.Expected)}").ConfigureAwait(false);
                }
            }
            await context.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"checked {checker.CheckedCount} derivations: {mismatches.Select(m => m.DrvPath).Distinct().Count()} with mismatches ({mismatches.Count} in all)")).ConfigureAwait(false);
            return mismatches.Count == 0 ? VigilApp.Success : VigilApp.Findings;
        });
        return check;
    }

    /// <summary><c>nix-instantiate</c> prints <c>DRV!OUTPUT</c> when a derivation's first output is not <c>out</c>.</summary>
    private static string WithoutOutputs(string path)
    {
        var bang = path.IndexOf('!', StringComparison.Ordinal);
        return bang < 0 ? path : path[..bang];
    }

    private static string Show(string value) => value.Length == 0 ? "(empty)" : value;
}
