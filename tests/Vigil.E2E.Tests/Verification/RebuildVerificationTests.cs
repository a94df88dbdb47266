using Vigil.E2E.Tests.Attacks;
using static Vigil.E2E.Tests.Attacks.AttackLab;

namespace Vigil.E2E.Tests.Verification;

/// <summary>
/// <c>vigil verify</c>'s rebuild method with real Nix: recursive FODs built by a /bin/sh + curl
/// builder from a local server, one whose output is already in the store (<c>--check</c>) and one
/// that is not (a throw-away store); the one whose URL serves other content is a hash-mismatch
/// naming Nix's specified and got hashes.
/// </summary>
public sealed class RebuildVerificationTests
{
    [Fact]
    public async Task A_recursive_curl_fod_is_rebuilt_the_attack_is_a_hash_mismatch_and_the_honest_one_is_ok()
    {
        Assert.SkipWhen(!NixAvailable, "nix is not installed");
        await using var lab = new AttackLab();
        var good = Text("tree 1.0\n");
        var evil = Text("tree 2.0 (trojaned)\n");
        lab.Server.Serve("/tree-1.0", good);
        lab.Server.Serve("/tree-2.0", evil);
        var goodNar = Sri(await lab.NarAsync(lab.WriteTree("good", new Dictionary<string, string> { ["payload"] = "tree 1.0\n" })));
        var evilNar = Sri(await lab.NarAsync(lab.WriteTree("evil", new Dictionary<string, string> { ["payload"] = "tree 2.0 (trojaned)\n" })));
        var file = lab.Write("set.nix", $$"""
            let inherit (import ./lib.nix) fetchWithCurl; in
            {
              honest = fetchWithCurl { name = "honest-src"; url = "@URL@/tree-1.0"; hash = "{{goodNar}}"; };
              attack = fetchWithCurl { name = "attack-src"; url = "@URL@/tree-2.0"; hash = "{{goodNar}}"; };
            }
            """);
        var store = lab.NewStore("store");
        var db = lab.NewDb();
        // The honest output is in the store (so it is checked with --check); the attack's is not (a throw-away store).
        await BuildOneAsync(store, file, "honest");
        Assert.Equal(1, lab.Server.CountOf("/tree-1.0"));
        await VerifyCli.ScanAsync(store, db, file, "head");

        var run = await VerifyCli.VerifyAsync(db, "--store", store.StoreUri, "--sandbox-paths", "/bin /usr /lib /lib64");

        Assert.True(run.ExitCode == 1, run.Explain());
        Assert.Equal(2, run.Results.Count);
        var honest = run.Expect("honest-src", "ok");
        Assert.Equal(("rebuild", goodNar), (honest.Method, honest.Expected));
        var attack = run.Expect("attack-src", "hash-mismatch");
        Assert.Equal(("rebuild", goodNar, evilNar), (attack.Method, attack.Expected, attack.Actual));
        // Both really fetched: nothing was substituted or taken from the store.
        Assert.Equal(2, lab.Server.CountOf("/tree-1.0"));
        Assert.Equal(1, lab.Server.CountOf("/tree-2.0"));
    }

    [Fact]
    public async Task A_fod_whose_drv_was_never_written_is_skipped_saying_what_to_do()
    {
        Assert.SkipWhen(!NixAvailable, "nix is not installed");
        await using var lab = new AttackLab();
        lab.Server.Serve("/tree-1.0", Text("tree 1.0\n"));
        var goodNar = Sri(await lab.NarAsync(lab.WriteTree("good", new Dictionary<string, string> { ["payload"] = "tree 1.0\n" })));
        var file = lab.Write("set.nix", $$"""
            let inherit (import ./lib.nix) fetchWithCurl; in
            { honest = fetchWithCurl { name = "honest-src"; url = "@URL@/tree-1.0"; hash = "{{goodNar}}"; }; }
            """);
        var store = lab.NewStore("store");
        var db = lab.NewDb();
        // The record comes from the read-only walk: no .drv file is written.
        await Scanning.ScanCli.ScanAsync(file, "--store", store.StoreUri, "--db", db, "--revision", "head", "--write-drvs", "needed");

        var run = await VerifyCli.VerifyAsync(db, "--store", store.StoreUri, "--sandbox-paths", "/bin /usr /lib /lib64");

        Assert.True(run.ExitCode == 0, run.Explain());
        var skipped = run.Expect("honest-src", "skipped", "is not in the store");
        Assert.Contains("nix-instantiate FILE -A ATTR", skipped.Detail, StringComparison.Ordinal);
        Assert.Equal(0, lab.Server.CountOf("/tree-1.0"));
    }
}
