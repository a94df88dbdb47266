using Vigil.E2E.Tests.Evaluation;

[assembly: AssemblyFixture(typeof(Vigil.E2E.Tests.Scanning.ScannedSets))]

namespace Vigil.E2E.Tests.Scanning;

/// <summary>
/// The package sets several scanning tests check against, each instantiated once per run, on
/// first use, into an oracle store: <see cref="ScanPackageSet"/> with 60 packages, and the
/// evaluator tests' <see cref="GeneratedPackageSet"/> (structured attrs, multiple outputs, nested
/// sets, every way an attribute can fail). Tests must not write into the oracle stores; they copy
/// them or scan into stores of their own.
/// </summary>
public sealed class ScannedSets : IDisposable
{
    public const int Packages = 60;

    private readonly Dictionary<string, Lazy<Task<PackageSetCase>>> sets;

    public ScannedSets()
    {
        sets = new(StringComparer.Ordinal)
        {
            ["scan"] = new(() => CreateAsync("scan", ScanPackageSet.Write(Workspace.Root),
                new Dictionary<string, string> { ["n"] = Packages.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                ScanPackageSet.GoodAttrs(Packages), ScanPackageSet.Failures)),
            ["generated"] = new(() => CreateAsync("generated", GeneratedPackageSet.Write(Workspace.Root),
                new Dictionary<string, string>(), GeneratedPackageSet.GoodAttrs, GeneratedPackageSet.Failures)),
        };
    }

    public ScanWorkspace Workspace { get; } = new();

    public Task<PackageSetCase> GetAsync(string name) => sets[name].Value;

    private async Task<PackageSetCase> CreateAsync(string name, string file, IReadOnlyDictionary<string, string> argstrs, IReadOnlyList<string> good, IReadOnlyDictionary<string, string> failures)
    {
        var oracle = await NixOracle.InstantiateAsync(Workspace.NewStoreRoot(), file, good, argstrs);
        return new PackageSetCase(name, file, argstrs, good, failures, oracle);
    }

    public void Dispose() => Workspace.Dispose();
}
