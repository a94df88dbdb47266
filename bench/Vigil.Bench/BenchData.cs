using System.Runtime.CompilerServices;
using Vigil.Nix.Derivations;

namespace Vigil.Bench;

/// <summary>
/// The <c>.drv</c> files in <c>data/</c>: the closure of two packages of the generated example set
/// (bench/pkgset), written by Nix 2.8 itself, so every shape of derivation the benchmarks read is
/// one Nix produced.
/// </summary>
internal static class BenchData
{
    /// <summary>Every file, by full store path.</summary>
    public static IReadOnlyDictionary<string, byte[]> Files { get; } = Load();

    /// <summary>The store path of the one file whose name (after the hash part) is <paramref name="name"/>.</summary>
    public static string PathOf(string name) =>
        Files.Keys.Single(p => p.EndsWith("-" + name, StringComparison.Ordinal));

    public static Derivation Parse(string drvPath) => ATermReader.Parse(Files[drvPath], ATermReader.NameFromPath(drvPath));

    private static Dictionary<string, byte[]> Load()
    {
        var dir = Directory();
        return System.IO.Directory.GetFiles(dir, "*.drv")
            .ToDictionary(f => "/nix/store/" + Path.GetFileName(f), File.ReadAllBytes, StringComparer.Ordinal);
    }

    // BenchmarkDotNet runs each benchmark in a process built elsewhere; the copy next to the
    // binary is used when there is one, else the source tree's.
    private static string Directory([CallerFilePath] string source = "")
    {
        var besideBinary = Path.Combine(AppContext.BaseDirectory, "data");
        return System.IO.Directory.Exists(besideBinary) ? besideBinary : Path.Combine(Path.GetDirectoryName(source)!, "data");
    }
}
