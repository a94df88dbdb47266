using System.Text.RegularExpressions;
using Vigil.Store.Evaluation;

namespace Vigil.Store.Realisation;

/// <summary>
/// Realises a fixed-output derivation with real Nix so that it really fetches
/// (docs/nix-behaviour.md §0–3): <c>nix-store --realise --check</c> when the output is already
/// valid in the store, else a build in a throw-away chroot store holding a copy of the drv's
/// closure, so that a mismatching build (which registers what it fetched) leaves the real store
/// untouched. Always with no substituters and no hashed mirrors: either would answer by hash and
/// hide a changed recipe, even under <c>--check</c>.
/// </summary>
public sealed partial class FodRealiser
{
    private readonly NixProcessOptions options;
    private readonly string scratchDirectory;

    /// <param name="options">The store the drvs live in, and extra options (e.g. <c>sandbox-paths</c> for /bin/sh builders).</param>
    /// <param name="scratchDirectory">Where throw-away stores are made (default: the temp directory).</param>
    public FodRealiser(NixProcessOptions? options = null, string? scratchDirectory = null)
    {
        this.options = options ?? new NixProcessOptions();
        this.scratchDirectory = scratchDirectory ?? Path.GetTempPath();
    }

    /// <summary>Whether the <c>.drv</c> file of <paramref name="drvPath"/> is in the store Nix builds from.</summary>
    public bool HasDerivation(string drvPath) => options.StoreLocation.HasFile(drvPath);

    /// <summary>Verifies <paramref name="drvPath"/>, whose output is <paramref name="outputPath"/>, by fetching it afresh.</summary>
    public async Task<RealiseOutcome> VerifyAsync(string drvPath, string outputPath, CancellationToken cancellationToken)
    {
        var source = new NixProcess(WithIsolation(options));
        if (await IsValidAsync(source, outputPath, cancellationToken).ConfigureAwait(false))
        {
            return await RealiseAsync(source, ["--realise", "--check", drvPath], cancellationToken).ConfigureAwait(false);
        }
        var root = Path.Combine(scratchDirectory, "vigil-verify-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            var store = "local?root=" + root;
            var closure = new List<string>();
            await source.RunAsync("nix-store", ["--query", "--requisites", "--include-outputs", drvPath], async (stdout, ct) =>
            {
                using var reader = new StreamReader(stdout, leaveOpen: true);
                while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
                {
                    if (line.Length > 0 && line != outputPath)
                    {
                        closure.Add(line);
                    }
                }
            }, cancellationToken).ConfigureAwait(false);
            await source.RunAsync("nix", ["--extra-experimental-features", "nix-command", "copy", "--derivation", "--no-check-sigs", "--to", store, .. closure], null, cancellationToken).ConfigureAwait(false);
            var scratch = new NixProcess(WithIsolation(options with { Store = store }));
            return await RealiseAsync(scratch, ["--realise", drvPath], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ScratchStore.Delete(root);
        }
    }

    /// <summary>Reads Nix's output of a failed realisation (exit code and stderr) into an outcome.</summary>
    public static RealiseOutcome Classify(int exitCode, string stderr)
    {
        var log = Ansi().Replace(stderr ?? "", "");
        if (exitCode == 0)
        {
            return new RealiseOutcome(RealiseOutcomeKind.Built, 0, null, null, null, log);
        }
        var mismatch = Mismatch().Match(log);
        if (mismatch.Success)
        {
            return new RealiseOutcome(RealiseOutcomeKind.HashMismatch, exitCode, mismatch.Groups[2].Value, mismatch.Groups[3].Value, NixErrorText.Condense(log), log);
        }
        var kind = log.Contains("unable to download", StringComparison.Ordinal) ? RealiseOutcomeKind.DownloadFailed : RealiseOutcomeKind.Failed;
        return new RealiseOutcome(kind, exitCode, null, null, NixErrorText.Condense(log), log);
    }

    private static async Task<RealiseOutcome> RealiseAsync(NixProcess nix, string[] arguments, CancellationToken cancellationToken)
    {
        try
        {
            var stderr = await nix.RunAsync("nix-store", arguments, null, cancellationToken).ConfigureAwait(false);
            return Classify(0, stderr);
        }
        catch (NixProcessException e) when (e.ExitCode > 0)
        {
            return Classify(e.ExitCode, e.StderrTail);
        }
    }

    private static async Task<bool> IsValidAsync(NixProcess nix, string path, CancellationToken cancellationToken)
    {
        try
        {
            await nix.RunAsync("nix-store", ["--check-validity", path], null, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (NixProcessException e) when (e.ExitCode > 0)
        {
            return false;
        }
    }

    private static NixProcessOptions WithIsolation(NixProcessOptions options)
    {
        var extra = new Dictionary<string, string>(options.ExtraOptions ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            ["substituters"] = "",
            ["hashed-mirrors"] = "",
        };
        return options with { ExtraOptions = extra };
    }

    [GeneratedRegex("\u001b\\[[0-9;]*[A-Za-z]")]
    private static partial Regex Ansi();

    [GeneratedRegex(@"hash mismatch in fixed-output derivation\s+'([^']+)':\s*specified:\s*(\S+)\s*got:\s*(\S+)")]
    private static partial Regex Mismatch();
}
