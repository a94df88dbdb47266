using Vigil.Data.Tests.Support;
using Vigil.Nix.Fetchers;

namespace Vigil.Data.Tests;

/// <summary>The query <c>vigil attest</c> signs from: a revision's FODs whose pair is trusted.</summary>
public abstract partial class DatabaseContractTests
{
    [Fact]
    public async Task Trusted_fods_of_a_revision_are_those_whose_exact_pair_was_verified_ok()
    {
        var cs = await NewDatabaseAsync();
        await using var db = await VigilDatabase.OpenAsync(cs, TestContext.Current.CancellationToken);
        var ct = TestContext.Current.CancellationToken;
        var (_, fods) = TestData.Graph(12);
        await db.WriteFodsAsync(fods, ct);
        // fods[0..5]: 0 and 2 verified ok, 1 failed, 3 has its recipe trusted under another hash, 4 under another mode, 5 never verified.
        var rev = await db.SaveRevisionAsync("r", "./x.nix", [], fods.Select(f => new RevisionFod(f.DrvPath, [], 0)).ToList(), [], null, ct);
        var other = await db.SaveRevisionAsync("other", "./y.nix", [], [new RevisionFod(fods[0].DrvPath, [], 0)], [], null, ct);
        VerificationRecord Ok(FodRecord f, DateTimeOffset at, string? url, string? hash = null, string? mode = null) =>
            new(f.DrvPath, f.OutputPath, f.RecipeHash, mode ?? f.HashMode, "ok", hash ?? f.HashSri, hash ?? f.HashSri, "native", url, null, at);
        await db.SaveVerificationsAsync(
        [
            Ok(fods[0], T0, "http://127.0.0.1/0"),
            Ok(fods[2], T0, null) with { Method = "rebuild" },
            Ok(fods[1], T0, "http://127.0.0.1/1") with { Status = "hash-mismatch", Actual = "sha256-other" },
            Ok(fods[3], T0, "http://127.0.0.1/3", hash: "sha256-AAAA"),
            Ok(fods[4], T0, "http://127.0.0.1/4", mode: fods[4].HashMode == "flat" ? "recursive" : "flat"),
        ], ct);
        await db.SaveVerificationsAsync([Ok(fods[0], T0.AddDays(1), "http://127.0.0.1/0b")], ct);

        var trusted = await db.ListTrustedFodsAsync(rev.Id, ct);

        Assert.Equal(new[] { fods[0], fods[2] }.Select(f => f.DrvPath).Order(StringComparer.Ordinal), trusted.Select(t => t.Fod.DrvPath));
        var first = trusted.Single(t => t.Fod.DrvPath == fods[0].DrvPath);
        Assert.Equal(TestData.Render(fods[0]), TestData.Render(first.Fod));
        Assert.Equal(new TrustedPair(fods[0].RecipeHash, fods[0].HashSri, fods[0].HashMode, fods[0].DrvPath, "native", "http://127.0.0.1/0b", T0, T0.AddDays(1)), first.Pair);
        var rebuilt = trusted.Single(t => t.Fod.DrvPath == fods[2].DrvPath).Pair;
        Assert.Equal(("rebuild", (string?)null), (rebuilt.Method, rebuilt.Url));
        Assert.Equal([fods[0].DrvPath], (await db.ListTrustedFodsAsync(other.Id, ct)).Select(t => t.Fod.DrvPath));
        Assert.Empty(await db.ListTrustedFodsAsync(rev.Id + other.Id + 100, ct));
    }
}
