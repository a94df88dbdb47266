using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Vigil.Data;
using Vigil.Fod.Attestation;
using Vigil.Nix;
using Vigil.Nix.Signatures;

namespace Vigil.Cli.Commands;

/// <summary>
/// <c>vigil attest</c>: signed statements of a revision's verified FODs, their verification by
/// anyone holding the public key (<c>attest verify</c>), and keys for users without Nix (<c>attest keygen</c>).
/// </summary>
internal static class AttestCommands
{
    private const string KeyHint = "a key as 'nix-store --generate-binary-cache-key NAME SECRET PUBLIC' or 'vigil attest keygen' writes it";

    public static Command Build(CliContext context)
    {
        var revision = new Option<string?>("--revision") { Description = "Revision whose verified FODs to attest (default: the most recently scanned)." };
        var key = new Option<string?>("--key")
        {
            Description = "Secret key FILE to sign with (NAME:BASE64, as 'nix-store --generate-binary-cache-key' or 'vigil attest keygen' writes it).",
            HelpName = "SECRET_KEY_FILE",
        };
        var perFod = new Option<bool>("--per-fod") { Description = "Write one attestation per FOD, as DIR/<drv name>.attestation.json (needs --out DIR)." };
        var output = new Option<string?>("--out", "-o")
        {
            Description = "Where to write: the bundle FILE (default: standard output), or with --per-fod the DIR (created if missing).",
            HelpName = "FILE|DIR",
        };
        var requireAll = new Option<bool>("--require-all") { Description = "Fail (exit 1, write nothing) unless every FOD of the revision is verified." };
        var db = CommonOptions.Db();
        var attest = new Command(
            "attest",
            "Sign a statement of a revision's verified FODs: for each FOD whose (recipe, hash) pair 'vigil verify' confirmed,\n" +
            "its drv and output path, recipe hash, hash, how and where it was verified and when. The statement is JSON in a\n" +
            "DSSE envelope signed with an Ed25519 key in Nix's format; anyone with the public key checks it with\n" +
            "'vigil attest verify'. FODs not verified ok are left out, and the command says how many. Exit 0 written,\n" +
            "1 nothing to attest (or --require-all and some FOD unverified), 2 bad input.")
        {
            revision, key, perFod, output, requireAll, db,
        };
        attest.SetAction(async (parse, ct) =>
        {
            var keyFile = parse.GetValue(key)
                ?? throw new UsageException("give the secret key to sign with: --key FILE (make one with 'vigil attest keygen NAME --secret-key FILE --public-key FILE')");
            var outPath = parse.GetValue(output);
            if (parse.GetValue(perFod) && outPath is null)
            {
                throw new UsageException("--per-fod writes one file per FOD: give the directory with --out DIR");
            }
            using var signingKey = ReadSecretKey(keyFile);
            if (AttestationSigner.CheckKeyName(signingKey.Name) is { } badName)
            {
                throw new UsageException($"key name '{signingKey.Name}' {badName}; attestations need a key named in printable ASCII (make one with 'vigil attest keygen')");
            }
            await using var database = await VigilDatabase.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
            var rev = await ScanCommands.FindRevisionAsync(database, parse.GetValue(revision), ct).ConfigureAwait(false);
            var export = await AttestationExport.CollectAsync(database, rev, ct).ConfigureAwait(false);
            var verifyHint = $"run 'vigil verify --revision {rev.Name}' first";
            if (export.Fods.Count == 0)
            {
                await context.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"vigil: nothing to attest: none of the {rev.FodCount} FODs of revision {rev.Name} is verified ok; {verifyHint}")).ConfigureAwait(false);
                return VigilApp.Findings;
            }
            var leftOut = export.LeftOut == 0 ? null : string.Create(CultureInfo.InvariantCulture,
                $"{export.LeftOut} of the revision's {rev.FodCount} FODs left out: their (recipe, hash) pair was never verified ok (not yet verified, or the verification failed); see 'vigil verify --revision {rev.Name}'");
            if (leftOut is not null && parse.GetValue(requireAll))
            {
                await context.Error.WriteLineAsync($"vigil: not attesting (--require-all): {leftOut}").ConfigureAwait(false);
                return VigilApp.Findings;
            }

            var issuedAt = TimeProvider.System.GetUtcNow();
            string where;
            if (parse.GetValue(perFod))
            {
                Directory.CreateDirectory(outPath!);
                foreach (var (fileName, statement) in export.PerFod(issuedAt, signingKey.Name))
                {
                    await WriteAtomicallyAsync(Path.Combine(outPath!, fileName), AttestationSigner.Sign(statement, signingKey), ct).ConfigureAwait(false);
                }
                where = string.Create(CultureInfo.InvariantCulture, $"{export.Fods.Count} files in {outPath}");
            }
            else
            {
                var envelope = AttestationSigner.Sign(export.Bundle(issuedAt, signingKey.Name), signingKey);
                if (outPath is null)
                {
                    var stdout = await context.RawStdoutAsync().ConfigureAwait(false);
                    await stdout.WriteAsync(envelope, ct).ConfigureAwait(false);
                    await stdout.FlushAsync(ct).ConfigureAwait(false);
                    where = "standard output";
                }
                else
                {
                    await WriteAtomicallyAsync(outPath, envelope, ct).ConfigureAwait(false);
                    where = outPath;
                }
            }
            // The summary goes to stderr: standard output may be the attestation itself.
            await context.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"attested {export.Fods.Count} FOD{(export.Fods.Count == 1 ? "" : "s")} of revision {rev.Name}, signed by '{signingKey.Name}': {where}")).ConfigureAwait(false);
            if (leftOut is not null)
            {
                await context.Error.WriteLineAsync($"note: {leftOut}").ConfigureAwait(false);
            }
            return VigilApp.Success;
        });
        attest.Subcommands.Add(BuildVerify(context));
        attest.Subcommands.Add(BuildKeygen(context));
        return attest;
    }

    private static Command BuildVerify(CliContext context)
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "Attestation files (a directory: every *.json file in it).",
            Arity = ArgumentArity.OneOrMore,
        };
        var publicKeys = new Option<string[]>("--public-key")
        {
            Description = "A trusted public key: a FILE (one or more keys, whitespace-separated) or the NAME:BASE64 text itself. Repeatable.",
            HelpName = "KEY",
            Arity = ArgumentArity.OneOrMore,
        };
        var json = CommonOptions.Json();
        var verify = new Command(
            "verify",
            "Check attestations: the envelope must be exactly as signed (any changed byte fails), signed by a trusted key\n" +
            "(matched by name), and hold a Vigil statement. Prints, per file, the revision, the number of FODs and the key;\n" +
            "--json prints the statements too. Exit 0 all valid, 1 any invalid or tampered, 2 bad input (missing file, bad key).")
        {
            files, publicKeys, json,
        };
        verify.SetAction(async (parse, ct) =>
        {
            var keyArgs = parse.GetValue(publicKeys) ?? [];
            if (keyArgs.Length == 0)
            {
                throw new UsageException("give the public key(s) to trust: --public-key FILE or --public-key NAME:BASE64 (the second file 'nix-store --generate-binary-cache-key' writes)");
            }
            var trusted = ReadPublicKeys(keyArgs);
            var paths = ExpandFiles(parse.GetValue(files) ?? []);
            var outcomes = new List<(string File, VerifiedAttestation? Verified, AttestationException? Error)>();
            foreach (var path in paths)
            {
                ct.ThrowIfCancellationRequested();
                try
                {
                    outcomes.Add((path, AttestationVerifier.Verify(await ReadEnvelopeAsync(path, ct).ConfigureAwait(false), trusted), null));
                }
                catch (AttestationException e)
                {
                    outcomes.Add((path, null, e));
                }
            }
            if (parse.GetValue(json))
            {
                await WriteVerifyJsonAsync(await context.RawStdoutAsync().ConfigureAwait(false), outcomes, ct).ConfigureAwait(false);
            }
            else
            {
                foreach (var (file, verified, error) in outcomes)
                {
                    await context.Out.WriteLineAsync(verified is { Statement: var s }
                        ? string.Create(CultureInfo.InvariantCulture,
                            $"{file}: valid: revision {s.Revision}, {s.Fods.Count} FOD{(s.Fods.Count == 1 ? "" : "s")}, signed by '{verified.KeyName}' at {AttestationTime(s.IssuedAt)}")
                        : $"{file}: INVALID ({error!.FailureName}): {error.Message}").ConfigureAwait(false);
                }
                if (outcomes.Count > 1)
                {
                    var bad = outcomes.Count(o => o.Error is not null);
                    await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{outcomes.Count - bad} valid, {bad} invalid")).ConfigureAwait(false);
                }
            }
            return outcomes.Any(o => o.Error is not null) ? VigilApp.Findings : VigilApp.Success;
        });
        return verify;
    }

    private static Command BuildKeygen(CliContext context)
    {
        var name = new Argument<string>("NAME") { Description = "Key name, e.g. 'ci.example.org-1' (printable ASCII, no ':'; verifiers match signatures to keys by it)." };
        var secretKey = new Option<string?>("--secret-key") { Description = "FILE to create for the secret key (mode 0600; keep it private).", HelpName = "FILE" };
        var publicKey = new Option<string?>("--public-key") { Description = "FILE to create for the public key (give it to whoever verifies).", HelpName = "FILE" };
        var keygen = new Command(
            "keygen",
            "Make an Ed25519 signing key pair in Nix's format, the same files 'nix-store --generate-binary-cache-key NAME\n" +
            "SECRET PUBLIC' writes (for users without Nix; Nix accepts them too). Never overwrites a file.")
        {
            name, secretKey, publicKey,
        };
        keygen.SetAction(async (parse, ct) =>
        {
            var keyName = parse.GetValue(name)!;
            var secretFile = parse.GetValue(secretKey);
            var publicFile = parse.GetValue(publicKey);
            if (secretFile is null || publicFile is null)
            {
                throw new UsageException("give both files to create: --secret-key FILE --public-key FILE");
            }
            if (NixKeyName(keyName) is { } badName)
            {
                throw new UsageException($"key name '{keyName}' {badName}: use letters, digits and '.-_', e.g. 'ci.example.org-1'");
            }
            foreach (var file in new[] { secretFile, publicFile })
            {
                if (File.Exists(file) || Directory.Exists(file))
                {
                    throw new UsageException($"'{file}' already exists; keygen never overwrites a key: remove it or choose another path");
                }
            }
            using var generated = NixSigningKey.Generate(keyName);
            // Created 0600 from the first byte: the secret is never readable by others, not even briefly.
            var secretOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                secretOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            await using (var secret = new FileStream(secretFile, secretOptions))
            {
                await secret.WriteAsync(Encoding.ASCII.GetBytes(generated.ExportSecretKey()), ct).ConfigureAwait(false);
            }
            var publicText = generated.PublicKey.ToString();
            await using (var pub = new FileStream(publicFile, FileMode.CreateNew, FileAccess.Write))
            {
                await pub.WriteAsync(Encoding.ASCII.GetBytes(publicText), ct).ConfigureAwait(false);
            }
            await context.Out.WriteLineAsync($"secret key: {secretFile} (keep it private)\npublic key: {publicFile}\n{publicText}").ConfigureAwait(false);
            return VigilApp.Success;
        });
        return keygen;
    }

    /// <summary>Null when <paramref name="name"/> is a Nix key name an attestation can carry, else why not.</summary>
    private static string? NixKeyName(string name)
    {
        if (name.Contains(':', StringComparison.Ordinal))
        {
            return "contains ':', which separates the name from the key";
        }
        return AttestationSigner.CheckKeyName(name);
    }

    private static NixSigningKey ReadSecretKey(string file)
    {
        if (!File.Exists(file))
        {
            throw new UsageException($"no secret key file '{file}' (--key takes {KeyHint})");
        }
        try
        {
            return NixSigningKey.Parse(File.ReadAllText(file));
        }
        catch (NixFormatException e)
        {
            throw new UsageException($"{file}: {e.Reason}; --key takes the secret key FILE, {KeyHint}");
        }
    }

    private static TrustedKeys ReadPublicKeys(string[] args)
    {
        var keys = new List<NixPublicKey>();
        foreach (var arg in args)
        {
            string text;
            string source;
            if (File.Exists(arg))
            {
                text = File.ReadAllText(arg);
                source = $"public key file '{arg}'";
            }
            else if (arg.Contains(':', StringComparison.Ordinal))
            {
                text = arg;
                source = "--public-key";
            }
            else
            {
                throw new UsageException($"--public-key '{arg}' is neither a file nor a NAME:BASE64 key");
            }
            try
            {
                keys.AddRange(TrustedKeys.Parse(text));
            }
            catch (NixFormatException e)
            {
                throw new UsageException($"{source}: {e.Reason}; --public-key takes a public key (NAME:BASE64, 32 bytes), the second file 'nix-store --generate-binary-cache-key' writes");
            }
        }
        if (keys.Count == 0)
        {
            throw new UsageException("the --public-key files hold no key");
        }
        try
        {
            return new TrustedKeys(keys);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--public-key: {e.Message}");
        }
    }

    /// <summary>Files as given, and each directory's *.json files in name order; a missing one is bad input.</summary>
    private static List<string> ExpandFiles(string[] args)
    {
        var paths = new List<string>();
        foreach (var arg in args)
        {
            if (Directory.Exists(arg))
            {
                var inside = Directory.GetFiles(arg, "*.json").Order(StringComparer.Ordinal).ToList();
                if (inside.Count == 0)
                {
                    throw new UsageException($"directory '{arg}' holds no *.json attestation files");
                }
                paths.AddRange(inside);
            }
            else if (File.Exists(arg))
            {
                paths.Add(arg);
            }
            else
            {
                throw new UsageException($"no attestation file '{arg}'");
            }
        }
        return paths;
    }

    private static async Task<byte[]> ReadEnvelopeAsync(string path, CancellationToken ct)
    {
        var length = new FileInfo(path).Length;
        if (length > DsseEnvelope.MaxBytes)
        {
            throw new AttestationException(AttestationFailure.Malformed,
                string.Create(CultureInfo.InvariantCulture, $"the file is {length} bytes, more than an attestation may have ({DsseEnvelope.MaxBytes})"));
        }
        return await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
    }

    /// <summary>Writes next to <paramref name="path"/> and renames: an interrupted run never leaves a truncated attestation.</summary>
    private static async Task WriteAtomicallyAsync(string path, byte[] bytes, CancellationToken ct)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new UsageException($"--out '{path}' is a directory: give a FILE for the bundle, or add --per-fod to write one file per FOD into it");
        }
        if (!Directory.Exists(Path.GetDirectoryName(full)))
        {
            throw new UsageException($"the directory of --out '{path}' does not exist; create it first");
        }
        var temp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            await File.WriteAllBytesAsync(temp, bytes, ct).ConfigureAwait(false);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static string AttestationTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static async Task WriteVerifyJsonAsync(Stream stdout, List<(string File, VerifiedAttestation? Verified, AttestationException? Error)> outcomes, CancellationToken ct)
    {
        await using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartArray();
            foreach (var (file, verified, error) in outcomes)
            {
                json.WriteStartObject();
                json.WriteString("file", file);
                json.WriteBoolean("valid", verified is not null);
                if (verified is null)
                {
                    json.WriteString("failure", error!.FailureName);
                    json.WriteString("message", error.Message);
                }
                else
                {
                    json.WriteString("keyid", verified.KeyName);
                    verified.Statement.WriteFields(json);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        await stdout.WriteAsync("\n"u8.ToArray(), ct).ConfigureAwait(false);
        await stdout.FlushAsync(ct).ConfigureAwait(false);
    }
}
