using Vigil.Nix.Fetchers;

namespace Vigil.Fod.Verification;

/// <summary>One way of verifying FODs by really fetching them.</summary>
public interface IFodVerifier
{
    VerificationMethod Method { get; }

    /// <summary>Whether this verifier can check <paramref name="fod"/> at all.</summary>
    bool CanVerify(FodRecord fod);

    /// <summary>Verifies one FOD. Failures of the source are results, not exceptions; only cancellation throws.</summary>
    Task<VerificationResult> VerifyAsync(FodRecord fod, CancellationToken cancellationToken);
}
