using Vigil.Nix.Fetchers;
using Vigil.Store.Evaluation;
using Vigil.Store.Realisation;

namespace Vigil.Fod.Verification;

/// <summary>
/// Verifies any FOD by having real Nix fetch it afresh (<see cref="FodRealiser"/>): the method for
/// everything native hashing cannot reproduce (git, unpacked archives, vendor directories, custom builders).
/// </summary>
public sealed class RebuildFodVerifier(FodRealiser realiser, TimeProvider? time = null) : IFodVerifier
{
    private const int LogExcerptLines = 20;
    private readonly TimeProvider clock = time ?? TimeProvider.System;

    public VerificationMethod Method => VerificationMethod.Rebuild;

    public bool CanVerify(FodRecord fod) => true;

    public async Task<VerificationResult> VerifyAsync(FodRecord fod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fod);
        if (!realiser.HasDerivation(fod.DrvPath))
        {
            // A scan with --write-drvs needed records FODs from a read-only walk and leaves most .drv files unwritten.
            return Result(fod, VerificationStatus.Skipped, null,
                $"{fod.DrvPath} is not in the store, so Nix cannot rebuild it (scanned with --write-drvs needed?): " +
                "instantiate an attribute that reaches it (nix-instantiate FILE -A ATTR) and verify again");
        }
        RealiseOutcome outcome;
        try
        {
            outcome = await realiser.VerifyAsync(fod.DrvPath, fod.OutputPath, cancellationToken).ConfigureAwait(false);
        }
        catch (NixProcessException e)
        {
            // Preparing the build failed (closure query, copy): this FOD's result, not the run's end.
            return Result(fod, VerificationStatus.BuildFailed, null, e.Message);
        }
        return outcome.Kind switch
        {
            RealiseOutcomeKind.Built => Result(fod, VerificationStatus.Ok, fod.HashSri, null),
            RealiseOutcomeKind.HashMismatch => Result(fod, VerificationStatus.HashMismatch, outcome.Got,
                $"Nix fetched {outcome.Got}, the FOD specifies {outcome.Specified}"),
            RealiseOutcomeKind.DownloadFailed => Result(fod, VerificationStatus.Unreachable, null, outcome.Message),
            _ => Result(fod, VerificationStatus.BuildFailed, null, Excerpt(outcome)),
        };
    }

    private static string Excerpt(RealiseOutcome outcome)
    {
        var lines = outcome.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var tail = string.Join('\n', lines.Skip(Math.Max(0, lines.Length - LogExcerptLines)));
        return $"exit {outcome.ExitCode}: {outcome.Message}\n{tail}";
    }

    private VerificationResult Result(FodRecord fod, VerificationStatus status, string? actual, string? detail) =>
        new(fod, status, fod.HashSri, actual, VerificationMethod.Rebuild, null, detail, clock.GetUtcNow());
}
