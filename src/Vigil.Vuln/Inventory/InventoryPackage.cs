namespace Vigil.Vuln.Inventory;

/// <summary>
/// A package of a revision as matching sees it: its name and version (Nix's split of the
/// derivation name), the attributes that reach it, what its sources say about its identity
/// (<see cref="SourceIdentities"/> keys) and the CVE-naming patches among its inputs.
/// </summary>
/// <param name="Attrs">Attributes reaching the package, nearest first (capped).</param>
/// <param name="Identities">Identity keys from its source URLs, e.g. <c>github:curl/curl</c>, <c>host:curl.se</c>.</param>
public sealed record InventoryPackage(
    string Pname,
    string Version,
    string DrvPath,
    IReadOnlyList<string> Attrs,
    IReadOnlyList<string> Identities,
    IReadOnlyList<PatchEvidence> Patches);
