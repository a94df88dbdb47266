using System.CommandLine;
using System.CommandLine.Parsing;
using Vigil.Nix.Hashing;
using Vigil.Nix.Nar;

namespace Vigil.Cli.Commands;

/// <summary>
/// <c>vigil hash</c>: prints what <c>nix-hash</c> prints for the same paths and flags (one line per
/// path, base16 unless told otherwise), except that the default type is sha256 rather than md5.
/// <c>--sri</c> prints what <c>nix hash path --sri</c> does. All paths are hashed in parallel.
/// </summary>
internal static class HashCommand
{
    public static Command Build(CliContext context)
    {
        var paths = new Argument<string[]>("PATH")
        {
            Description = "Files or directories to hash (symlinks are hashed as links unless --flat).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        // Repeatable, the last one counting, as in nix-hash.
        var type = new Option<string[]>("--type")
        {
            Description = "Hash algorithm: md5, sha1, sha256 or sha512.",
            DefaultValueFactory = _ => ["sha256"],
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        var flat = new Option<bool>("--flat") { Description = "Hash the file's bytes (following symlinks) instead of its NAR serialisation." };
        var base16 = new Option<bool>("--base16") { Description = "Print base16 (hexadecimal), the default." };
        var base32 = new Option<bool>("--base32") { Description = "Print Nix's base32." };
        var sri = new Option<bool>("--sri") { Description = "Print an SRI hash (ALGO-BASE64)." };
        var truncate = new Option<bool>("--truncate") { Description = "XOR-fold hashes longer than 160 bits to 160 bits, as nix-hash --truncate." };
        var command = new Command(
            "hash",
            "Print the hash of each PATH as nix-hash does: the hash of its NAR serialisation, or of its bytes with --flat.\n" +
            "Default type sha256 (nix-hash defaults to md5). With several encoding flags the last one wins.")
        {
            paths, type, flat, base16, base32, sri, truncate,
        };
        command.SetAction(async (parse, ct) =>
        {
            var typeName = parse.GetValue(type)![^1];
            if (!HashAlgorithms.TryParse(typeName, out var algorithm))
            {
                throw new UsageException($"unknown hash algorithm '{typeName}' (expected md5, sha1, sha256 or sha512)");
            }
            var encoding = LastEncoding(parse, base16, base32, sri);
            var fold = parse.GetValue(truncate);
            if (fold && encoding == HashEncoding.Sri)
            {
                throw new UsageException("--truncate cannot be combined with --sri: a folded digest is no longer an SRI hash");
            }
            var targets = parse.GetValue(paths) ?? [];
            var results = targets.Length == 1
                ? [Single(targets[0], algorithm, parse.GetValue(flat), ct)]
                : NarHasher.HashPaths(targets, algorithm, parse.GetValue(flat), cancellationToken: ct);
            foreach (var result in results)
            {
                if (result.Error is not null)
                {
                    // Like nix-hash: the hashes before the failing path are printed, then the error.
                    throw result.Error;
                }
                await context.Out.WriteLineAsync(Render(result.Hash!, encoding, fold)).ConfigureAwait(false);
            }
            return VigilApp.Success;
        });
        return command;
    }

    private static PathHashResult Single(string path, HashAlgorithmKind algorithm, bool flat, CancellationToken ct)
    {
        try
        {
            return new PathHashResult(path, flat ? NarHasher.HashFile(path, algorithm, ct) : NarHasher.HashPath(path, algorithm, ct), null);
        }
        catch (IOException e)
        {
            return new PathHashResult(path, null, e);
        }
    }

    /// <summary>As in <c>nix hash path</c>, the encoding flag given last decides.</summary>
    private static HashEncoding LastEncoding(ParseResult parse, params Option<bool>[] flags)
    {
        var chosen = HashEncoding.Base16;
        foreach (var token in parse.Tokens)
        {
            if (token.Type != TokenType.Option)
            {
                continue;
            }
            if (flags[0].Name == token.Value)
            {
                chosen = HashEncoding.Base16;
            }
            else if (flags[1].Name == token.Value)
            {
                chosen = HashEncoding.Nix32;
            }
            else if (flags[2].Name == token.Value)
            {
                chosen = HashEncoding.Sri;
            }
        }
        return chosen;
    }

    /// <summary>nix-hash folds only digests longer than 20 bytes (so md5 and sha1 stay as they are).</summary>
    private static string Render(NixHash hash, HashEncoding encoding, bool fold)
    {
        if (fold && hash.Digest.Length > 20)
        {
            Span<byte> folded = stackalloc byte[20];
            NixHash.Compress(hash.Digest, folded);
            return encoding == HashEncoding.Nix32 ? Nix32.Encode(folded) : Convert.ToHexStringLower(folded);
        }
        return hash.ToString(encoding, includeAlgorithm: false);
    }
}
