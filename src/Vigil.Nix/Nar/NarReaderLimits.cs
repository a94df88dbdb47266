namespace Vigil.Nix.Nar;

/// <summary>
/// Bounds that keep a hostile NAR from exhausting memory or time. Memory used by
/// <see cref="NarReader"/> is at most one read buffer, <see cref="MaxTargetLength"/> and
/// <see cref="MaxDepth"/> × <see cref="MaxNameLength"/> (the previous name at each level, kept to
/// check the order); file contents are streamed and never held.
/// </summary>
public sealed record NarReaderLimits
{
    public static NarReaderLimits Default { get; } = new();

    /// <summary>Longest entry name in bytes. Linux allows 255; HFS+ names reach 765 bytes of UTF-8.</summary>
    public int MaxNameLength { get; init; } = 1024;

    /// <summary>Longest symlink target in bytes (Linux PATH_MAX is 4096).</summary>
    public int MaxTargetLength { get; init; } = 4096;

    /// <summary>Deepest directory nesting; a real tree within PATH_MAX has at most 2048 levels.</summary>
    public int MaxDepth { get; init; } = 2048;

    /// <summary>Most nodes (files, symlinks, directories, the root included).</summary>
    public long MaxEntries { get; init; } = 10_000_000;

    /// <summary>Largest regular file in bytes.</summary>
    public long MaxFileSize { get; init; } = long.MaxValue;
}
