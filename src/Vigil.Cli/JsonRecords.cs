using Vigil.Data;
using Vigil.Fod.Scanning;
using Vigil.Nix.Fetchers;
using Vigil.Nix.Hashing;

namespace Vigil.Cli;

/// <summary>One FOD as <c>vigil fods --json</c> prints it (the field names are the contract).</summary>
internal sealed record FodJson(
    string DrvPath,
    string OutputPath,
    string Name,
    string HashAlgo,
    string HashMode,
    string Hash,
    string OriginalHash,
    IReadOnlyList<string> Urls,
    string? Rev,
    string Fetcher,
    string RecipeHash,
    IReadOnlyList<string> Attrs,
    int AttrCount)
{
    public static FodJson From(StoredFod f) => new(
        f.Fod.DrvPath, f.Fod.OutputPath, f.Fod.Name, f.Fod.Algorithm.Name(), f.Fod.HashMode, f.Fod.HashSri, f.Fod.OriginalHash,
        f.Fod.Urls, f.Fod.Rev, FetcherKinds.Name(f.Fod.Fetcher), f.Fod.RecipeHash, f.Attrs, f.AttrCount);
}

/// <summary>What <c>vigil scan --json</c> prints.</summary>
internal sealed record ScanSummary(
    RevisionInfo Revision,
    int DrvsInClosure,
    int DrvsRead,
    int DrvsKnown,
    double Seconds,
    IReadOnlyList<EvalErrorRecord> Errors,
    IReadOnlyList<UnresolvedJson> Unresolved,
    IReadOnlyList<ScanPhase> Phases)
{
    public static ScanSummary From(ScanResult r) => new(
        r.Revision, r.DrvsInClosure, r.DrvsRead, r.DrvsKnown, r.Elapsed.TotalSeconds, r.Errors,
        r.Unresolved.Select(u => new UnresolvedJson(u.Attr, u.DrvPath)).ToList(), r.Phases);
}

internal sealed record UnresolvedJson(string Attr, string DrvPath);
