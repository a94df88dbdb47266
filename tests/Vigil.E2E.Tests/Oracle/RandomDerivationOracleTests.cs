namespace Vigil.E2E.Tests.Oracle;

/// <summary>
/// Thousands of random derivations, instantiated by the real Nix in batches of hundreds, each
/// re-derived by Vigil (docs/nix-formats.md §3–4) and shown/checked through the CLI. Seeds are
/// fixed so a run is reproducible; a failure prints the seed, the derivation and its Nix source.
/// </summary>
public sealed class RandomDerivationOracleTests
{
    /// <summary>Fixed seeds; <c>VIGIL_ORACLE_SEEDS=FROM-TO</c> runs others instead (to explore, not in CI).</summary>
    public static TheoryData<ulong> PlainSeeds => Seeds([1, 2, 3, 4, 5, 6, 7, 8], 0);

    public static TheoryData<ulong> ExperimentalSeeds => Seeds([101, 102, 103, 104], 100_000);

    private static TheoryData<ulong> Seeds(ulong[] fixedSeeds, ulong offset)
    {
        var range = Environment.GetEnvironmentVariable("VIGIL_ORACLE_SEEDS");
        if (string.IsNullOrEmpty(range))
        {
            return [.. fixedSeeds];
        }
        var parts = range.Split('-');
        var from = ulong.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        var to = parts.Length > 1 ? ulong.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : from;
        var data = new TheoryData<ulong>();
        for (var seed = from; seed <= to; seed++)
        {
            data.Add(seed + offset);
        }
        return data;
    }

    internal static DrvBatch PlainBatch(ulong seed) =>
        new DrvBatchGen(new BatchSettings(Count: 350, Experimental: false, ChainDepth: seed % 2 == 1 ? 50 : 0)).ForSeed(seed);

    internal static DrvBatch ExperimentalBatch(ulong seed) =>
        new DrvBatchGen(new BatchSettings(Count: 300, Experimental: true, ChainDepth: 20)).ForSeed(seed);

    [Theory]
    [MemberData(nameof(PlainSeeds))]
    public Task Random_batch_agrees_with_nix(ulong seed) => RunBatchAsync(PlainBatch(seed));

    [Theory]
    [MemberData(nameof(ExperimentalSeeds))]
    public Task Random_batch_with_content_addressed_and_impure_agrees_with_nix(ulong seed) => RunBatchAsync(ExperimentalBatch(seed));

    internal static async Task RunBatchAsync(DrvBatch batch)
    {
        Assert.SkipWhen(!NixOracle.IsAvailable, "nix-instantiate is not on PATH");
        using var nix = new NixOracle("batch");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var paths = batch.Instantiate(nix);
        var instantiated = clock.Elapsed;
        var verifier = new OracleVerifier(nix, batch, paths);
        var report = await verifier.VerifyAsync(TestContext.Current.CancellationToken);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{verifier.DerivationCount} derivations: nix-instantiate {instantiated.TotalSeconds:F1}s, checks {(clock.Elapsed - instantiated).TotalSeconds:F1}s ({verifier.Timings})");
        if (report.Length > 0)
        {
            nix.Keep();
            Assert.Fail(report);
        }
        Assert.True(verifier.DerivationCount >= batch.Drvs.Count);
    }
}
