using System.Text.Json.Serialization;
using Vigil.Data;
using Vigil.Fod.Release;
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

/// <summary>What <c>vigil gate --json</c> prints.</summary>
internal sealed record GateJson(string Release, string Since, bool Passed, bool Enforced, IReadOnlyDictionary<string, int> Counts, IReadOnlyList<SourceJson> Fods)
{
    public static GateJson From(GateReport report, bool enforced) => new(
        report.Release, report.Since, report.Passed, enforced,
        Enum.GetValues<GateOutcome>().ToDictionary(o => o.Name(), report.Count),
        report.Entries.Select(e => SourceJson.From(e.Fod, e.Outcome.Name(), e.Latest, due: null)).ToList());
}

/// <summary>
/// One FOD and its latest verification, as <c>vigil gate --json</c> and <c>vigil liveness --json</c>
/// print it; <see cref="Due"/> only in the liveness report.
/// </summary>
internal sealed record SourceJson(
    string DrvPath,
    string OutputPath,
    string Name,
    IReadOnlyList<string> Attrs,
    string Status,
    string Expected,
    string? Actual,
    string? Url,
    string? Detail,
    DateTimeOffset? LastCheckedAt,
    DateTimeOffset? LastOkAt,
    DateTimeOffset? BrokenSince,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Due)
{
    public static SourceJson From(StoredFod f, string status, FodLiveness? latest, bool? due) => new(
        f.Fod.DrvPath, f.Fod.OutputPath, f.Fod.Name, f.Attrs, status, f.Fod.HashSri, latest?.Actual, latest?.Url ?? f.Fod.Urls.FirstOrDefault(),
        latest?.Detail, latest?.LastCheckedAt, latest?.LastOkAt, latest?.BrokenSince, due);
}
