using Vigil.Nix.Fetchers;

namespace Vigil.Fod.Verification;

/// <summary>
/// Verifies many FODs: each by the first verifier that can (native before rebuild), natives
/// concurrently (their own limits apply), rebuilds a few at a time (each is a Nix process). Every
/// result goes to <paramref name="onResult"/> as soon as it is known, so a caller that stores it
/// there loses nothing when the run is killed.
/// </summary>
public sealed class FodVerification(IReadOnlyList<IFodVerifier> verifiers, int concurrency = 16, int rebuildConcurrency = 1)
{
    public async Task RunAsync(IReadOnlyList<FodRecord> fods, Func<VerificationResult, Task> onResult, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fods);
        ArgumentNullException.ThrowIfNull(onResult);
        using var rebuilds = new SemaphoreSlim(Math.Max(1, rebuildConcurrency));
        await Parallel.ForEachAsync(fods, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, concurrency), CancellationToken = cancellationToken }, async (fod, ct) =>
        {
            var verifier = verifiers.FirstOrDefault(v => v.CanVerify(fod));
            VerificationResult result;
            if (verifier is null)
            {
                result = new VerificationResult(fod, VerificationStatus.Skipped, fod.HashSri, null, VerificationMethod.Native, null, "no verifier can check this FOD", DateTimeOffset.UtcNow);
            }
            else if (verifier.Method == VerificationMethod.Rebuild)
            {
                await rebuilds.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    result = await verifier.VerifyAsync(fod, ct).ConfigureAwait(false);
                }
                finally
                {
                    rebuilds.Release();
                }
            }
            else
            {
                result = await verifier.VerifyAsync(fod, ct).ConfigureAwait(false);
            }
            await onResult(result).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }
}
