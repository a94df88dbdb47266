namespace Vigil.Store;

/// <summary>One disagreement between a derivation file and what Nix's rules derive from it.</summary>
/// <param name="DrvPath">The derivation concerned.</param>
/// <param name="What">Which value: <c>drvPath</c>, <c>aterm</c>, <c>output NAME path</c>, <c>output NAME env</c>, <c>error</c>.</param>
public sealed record DrvMismatch(string DrvPath, string What, string Found, string Expected);
