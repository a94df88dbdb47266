namespace Vigil.Nix.Fetchers;

/// <summary>
/// The stable names of <see cref="FetcherKind"/>. They are stored in databases and printed in JSON,
/// so they never change once published (the enum's member names and order may).
/// </summary>
public static class FetcherKinds
{
    private static readonly string[] Names =
    [
        "builtin-fetchurl",
        "fetchurl",
        "fetchzip",
        "github",
        "gitlab",
        "git",
        "patch",
        "crate",
        "cargo-vendor",
        "go-modules",
        "npm-deps",
        "yarn-deps",
        "pnpm-deps",
        "other",
    ];

    /// <summary>Every kind, in declaration order.</summary>
    public static IReadOnlyList<FetcherKind> All { get; } = Enum.GetValues<FetcherKind>();

    /// <summary>The lowercase kebab-case name, e.g. <c>builtin-fetchurl</c>, <c>cargo-vendor</c>.</summary>
    public static string Name(this FetcherKind kind) =>
        (uint)kind < (uint)Names.Length
            ? Names[(int)kind]
            : throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a fetcher kind");

    public static bool TryParse(ReadOnlySpan<char> name, out FetcherKind kind)
    {
        for (var i = 0; i < Names.Length; i++)
        {
            if (name.SequenceEqual(Names[i]))
            {
                kind = (FetcherKind)i;
                return true;
            }
        }
        kind = default;
        return false;
    }

    /// <summary>Parses a name written by <see cref="Name"/>; exact, case-sensitive.</summary>
    public static FetcherKind Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryParse(name, out var kind)
            ? kind
            : throw new NixFormatException("fetcher kind", 0, $"unknown fetcher kind '{name}' (expected one of {string.Join(", ", Names)})");
    }
}
