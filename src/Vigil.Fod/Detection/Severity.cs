namespace Vigil.Fod.Detection;

/// <summary>How bad a finding is; ordered, so <c>--fail-on</c> compares.</summary>
public enum Severity
{
    /// <summary>Worth knowing, not a problem by itself (e.g. a changed FOD nobody verified yet).</summary>
    Note,

    /// <summary>Cannot be verified as it stands, or suspicious without proof: a reviewer must look.</summary>
    Warning,

    /// <summary>Nix would serve content that the recipe did not fetch: the cache-poisoning shape.</summary>
    Error,
}
