namespace Vigil.E2E.Tests.Scanning;

/// <summary>One derivation as <c>nix show-derivation</c> prints it: what the scanner's graph and records are checked against.</summary>
/// <param name="OutputPath">The <c>out</c> output's path, or null for a derivation without one.</param>
/// <param name="Fod">Its FOD record, when <c>out</c> has a fixed hash.</param>
public sealed record OracleDrv(string DrvPath, string? OutputPath, IReadOnlyList<string> InputDrvs, IReadOnlyDictionary<string, string> Env, ExpectedFod? Fod);
