namespace Vigil.E2E.Tests.Scanning;

/// <summary>A package set written to disk, its expected attributes and failures, and what Nix made of it.</summary>
/// <param name="ArgStrs">The <c>--argstr</c> values it is evaluated with.</param>
/// <param name="Oracle">Its roots instantiated into a store of their own, and the graph Nix shows for them.</param>
public sealed record PackageSetCase(
    string Name,
    string File,
    IReadOnlyDictionary<string, string> ArgStrs,
    IReadOnlyList<string> GoodAttrs,
    IReadOnlyDictionary<string, string> Failures,
    NixOracle Oracle)
{
    /// <summary>TARGET and its arguments as <c>vigil scan</c> takes them.</summary>
    public string[] TargetArgs() => [File, .. ArgStrs.SelectMany(a => new[] { "--argstr", $"{a.Key}={a.Value}" })];
}
