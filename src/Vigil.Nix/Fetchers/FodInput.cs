using Vigil.Nix.Hashing;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Fetchers;

/// <summary>
/// What the FOD extractor needs, whichever way it was obtained: from a <c>.drv</c> file's ATerm or
/// from a read-only evaluation that wrote no <c>.drv</c>.
/// </summary>
/// <param name="DrvPath">Full <c>.drv</c> store path.</param>
/// <param name="OutputPath">Full output store path.</param>
/// <param name="Name">Derivation name.</param>
/// <param name="Method">Flat or recursive (NAR).</param>
/// <param name="Hash">The expected hash (from the output tuple, or parsed from outputHash/outputHashAlgo).</param>
/// <param name="Env">The derivation's environment as text (for structured attrs: the top-level keys of
/// <c>__json</c>, lists joined by spaces as Nix coerces them); null when absent.</param>
/// <param name="MirrorSite">Base URLs of a <c>mirror://SITE/</c> site from the FOD's mirror list
/// (the <c>mirrors-list</c> input), or null when unknown.</param>
public sealed record FodInput(
    string DrvPath,
    string OutputPath,
    string Name,
    ContentAddressMethod Method,
    NixHash Hash,
    Func<string, string?> Env,
    Func<string, IReadOnlyList<string>?> MirrorSite);
