namespace Vigil.Store.Evaluation;

/// <summary>
/// How Vigil runs the Nix commands. Evaluation never needs the network: <c>nix-instantiate</c>
/// neither builds nor substitutes, except for import-from-derivation, which would build (and
/// fetch) in the middle of an evaluation, so it is off unless asked for. Evaluation-time fetchers
/// (<c>builtins.fetchurl</c>, <c>fetchTarball</c>, <c>fetchGit</c>) in the expression itself still
/// fetch; Vigil cannot forbid them without forbidding most expressions.
/// </summary>
/// <param name="Store">Store URI passed as <c>--store</c> (e.g. <c>local?root=/tmp/x</c>); null keeps
/// the environment's choice (<c>NIX_REMOTE</c>, else the system store).</param>
/// <param name="AllowImportFromDerivation">Pass <c>allow-import-from-derivation true</c> instead of false.</param>
/// <param name="ExtraOptions">More <c>--option NAME VALUE</c> pairs, passed after Vigil's own.</param>
/// <param name="BinDirectory">Where the Nix programs are; null searches <c>PATH</c>.</param>
public sealed record NixProcessOptions(
    string? Store = null,
    bool AllowImportFromDerivation = false,
    IReadOnlyDictionary<string, string>? ExtraOptions = null,
    string? BinDirectory = null)
{
    /// <summary>The store these options address, as a location on this machine.</summary>
    public StoreLocation StoreLocation =>
        Store is null ? StoreLocation.FromEnvironment() : StoreLocation.Parse(Store, Environment.GetEnvironmentVariable("NIX_STORE_DIR"));
}
