namespace Vigil.Vuln.Inventory;

/// <summary>A patch a package applies that names a CVE: the CVE and where the name was found (an input's name or URL).</summary>
public sealed record PatchEvidence(string Cve, string Source);
