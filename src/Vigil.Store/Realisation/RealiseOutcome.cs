namespace Vigil.Store.Realisation;

/// <summary>What a verifying realisation of an FOD showed.</summary>
public enum RealiseOutcomeKind
{
    /// <summary>Nix fetched or built it and the hash matched.</summary>
    Built,

    /// <summary>Nix reported <c>hash mismatch in fixed-output derivation</c> (exit 102).</summary>
    HashMismatch,

    /// <summary>The fetch failed (<c>unable to download</c>).</summary>
    DownloadFailed,

    /// <summary>Anything else went wrong; <see cref="RealiseOutcome.Log"/> has the excerpt.</summary>
    Failed,
}

/// <param name="Specified">The hash Nix expected (SRI), on a mismatch.</param>
/// <param name="Got">The hash Nix computed (SRI), on a mismatch.</param>
/// <param name="Message">Nix's condensed error, when it failed.</param>
/// <param name="Log">The tail of what Nix printed, without colours.</param>
public sealed record RealiseOutcome(RealiseOutcomeKind Kind, int ExitCode, string? Specified, string? Got, string? Message, string Log);
