using Vigil.Nix.Fetchers;

namespace Vigil.Data;

/// <summary>A scanned revision of a package set.</summary>
/// <param name="Target">What was scanned (file, attribute, checkout), for the record.</param>
public sealed record RevisionInfo(long Id, string Name, string Target, DateTimeOffset ScannedAt, int RootCount, int FodCount, int EvalErrorCount);

/// <summary>A top-level attribute of a revision and the derivation it evaluated to.</summary>
public sealed record RevisionRoot(string Attr, string DrvPath);

/// <summary>An attribute that failed to evaluate, with Nix's message.</summary>
public sealed record EvalErrorRecord(string Attr, string Message);

/// <summary>An FOD's membership in a revision: the attributes that reach it (nearest first, capped) and how many do in all.</summary>
public sealed record RevisionFod(string DrvPath, IReadOnlyList<string> Attrs, int AttrCount);

/// <summary>An FOD of a revision as stored.</summary>
public sealed record StoredFod(FodRecord Fod, IReadOnlyList<string> Attrs, int AttrCount);

/// <summary>
/// What a revision's FOD says about the source it fetches, and nothing more: the package inventory
/// of a large revision needs only these, not the recipe JSON and hashes of <see cref="StoredFod"/>.
/// </summary>
public sealed record SourceFod(string DrvPath, string Name, IReadOnlyList<string> Urls, IReadOnlyList<string> Attrs);

/// <summary>A stored FOD record found by its hash, and the earliest-scanned revision listing it (null when no stored revision does any more).</summary>
public sealed record HistoricFod(FodRecord Fod, string? FirstRevision);
