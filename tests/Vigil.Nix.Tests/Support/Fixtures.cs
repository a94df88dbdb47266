using Vigil.Nix.Derivations;

namespace Vigil.Nix.Tests.Support;

/// <summary>The <c>.drv</c> files under Fixtures/: bytes real Nix 2.8 wrote, named <c>hash-name.drv</c>.</summary>
internal static class Fixtures
{
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static byte[] Read(string fileName) => File.ReadAllBytes(Path.Combine(Directory, fileName));

    public static IReadOnlyList<string> DrvFiles { get; } = System.IO.Directory
        .EnumerateFiles(Directory, "*.drv")
        .Select(f => Path.GetFileName(f))
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>The fixture whose base name ends with <c>-name.drv</c>; exactly one must exist.</summary>
    public static string Named(string fileNameSuffix) => DrvFiles.Single(f => f.EndsWith(fileNameSuffix, StringComparison.Ordinal));

    public static Derivation Parse(string fileName) => ATermReader.Parse(Read(fileName), ATermReader.NameFromPath(fileName));

    /// <summary>Loader for <see cref="DerivationHasher"/>: full store path to the parsed fixture.</summary>
    public static Derivation Load(string drvStorePath) => Parse(Path.GetFileName(drvStorePath));

    public static DerivationHasher Hasher() => new(Load);
}
