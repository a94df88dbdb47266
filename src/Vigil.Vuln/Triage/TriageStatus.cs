namespace Vigil.Vuln.Triage;

/// <summary>The status of a (CVE, package), as stored and printed.</summary>
public static class TriageStatus
{
    public const string Affected = "affected";
    public const string Patched = "patched";
    public const string NotAffected = "not-affected";
    public const string Ignored = "ignored";

    public static IReadOnlyList<string> All { get; } = [Affected, Patched, NotAffected, Ignored];
}
