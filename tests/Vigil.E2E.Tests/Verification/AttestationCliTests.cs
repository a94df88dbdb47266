using System.Text;
using System.Text.Json;
using Vigil.E2E.Tests.Attacks;
using Vigil.E2E.Tests.Support;
using static Vigil.E2E.Tests.Attacks.AttackLab;

namespace Vigil.E2E.Tests.Verification;

/// <summary>
/// <c>vigil attest</c> and <c>vigil attest verify</c> as users run them: a revision scanned and
/// verified against a real server on 127.0.0.1 (one FOD a hash-mismatch, so left out), signed with
/// a key real Nix made, checked with its public key; a changed byte, another key, bad input, and
/// the per-FOD directory.
/// </summary>
public sealed class AttestationCliTests
{
    private const string NoNix = "nix is not installed";

    private static readonly byte[] Good1 = Text("honest 1.0: the real release\n");
    private static readonly byte[] Good2 = Text("honest 2.0: the real release\n");
    private static readonly byte[] Other = Text("another package\n");

    private sealed record Verified(string File, bool Valid, string? Failure, string? Message, string? Keyid, string? Revision, List<Fod>? Fods);

    private sealed record Fod(string DrvPath, string OutputPath, string RecipeHash, string Hash, string HashMode, string Method, string? Url, string VerifiedAt);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static string Explain(CliRunner.Result r, string command) => $"vigil {command}\nexit {r.ExitCode}\nstdout: {r.StdoutText}\nstderr: {r.Stderr}";

    private static async Task<CliRunner.Result> RunAsync(int expectedExit, params string[] args)
    {
        var result = await CliRunner.RunAsync(args);
        Assert.True(result.ExitCode == expectedExit, $"expected exit {expectedExit}\n" + Explain(result, string.Join(' ', args)));
        return result;
    }

    /// <summary>A revision of three FODs, two verified ok and one a hash-mismatch, and a key pair made by nix-store.</summary>
    private static async Task<(AttackLab Lab, string Db, string Secret, string Public, List<VerifyCli.Result> Results)> VerifiedRevisionAsync()
    {
        var lab = new AttackLab();
        lab.Server.Serve("/honest-1.0.tar", Good1);
        lab.Server.Serve("/honest-2.0.tar", Good2);
        lab.Server.Serve("/other-1.0.tar", Other);
        var store = lab.NewStore("store");
        var db = lab.NewDb();
        var file = lab.Write("rel.nix", NativeVerificationTests.Set(
            ("honest", "honest-1.0.tar", Sri(Good1)), ("other", "other-1.0.tar", Sri(Other)), ("bump", "honest-2.0.tar", Sri(Good1))));
        await VerifyCli.ScanAsync(store, db, file, "rel");
        var run = await VerifyCli.VerifyAsync(db, "--revision", "rel");
        Assert.True(run.ExitCode == 1, run.Explain());
        run.Expect("honest-2.0.tar", "hash-mismatch");
        var secret = Path.Combine(store.Root, "attest.sec");
        var pub = Path.Combine(store.Root, "attest.pub");
        await store.RunAsync("nix-store", "--generate-binary-cache-key", "attest.example.org-1", secret, pub);
        return (lab, db, secret, pub, run.Results);
    }

    [Fact]
    public async Task A_bundle_round_trips_through_the_cli_and_a_changed_byte_or_another_key_fails()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        var (lab, db, secret, pub, results) = await VerifiedRevisionAsync();
        await using var _ = lab;

        var attest = await RunAsync(0, "attest", "--db", db, "--revision", "rel", "--key", secret);
        Assert.Contains("attested 2 FODs of revision rel, signed by 'attest.example.org-1'", attest.Stderr, StringComparison.Ordinal);
        Assert.Contains("1 of the revision's 3 FODs left out", attest.Stderr, StringComparison.Ordinal);
        var bundle = lab.Write("rel.attestation.json", attest.StdoutText);

        var text = await RunAsync(0, "attest", "verify", bundle, "--public-key", pub);
        Assert.Equal($"{bundle}: valid: revision rel, 2 FODs, signed by 'attest.example.org-1' at ", text.StdoutText[..^21]);

        // --json gives the statements: exactly the FODs verify found ok, with how they were verified.
        var json = await RunAsync(0, "attest", "verify", bundle, "--public-key", await File.ReadAllTextAsync(pub), "--json");
        var verified = Assert.Single(JsonSerializer.Deserialize<List<Verified>>(json.Stdout, Json)!);
        Assert.True(verified.Valid);
        Assert.Equal(("attest.example.org-1", "rel"), (verified.Keyid, verified.Revision));
        var ok = results.Where(r => r.Status == "ok").OrderBy(r => r.DrvPath, StringComparer.Ordinal).ToList();
        Assert.Equal(ok.Select(r => (r.DrvPath, r.OutputPath, r.Expected, r.Method, r.Url)),
            verified.Fods!.Select(f => (f.DrvPath, f.OutputPath, f.Hash, f.Method, f.Url)));
        Assert.All(verified.Fods!, f => Assert.Equal("flat", f.HashMode));

        // One changed byte in the signed payload: invalid, exit 1.
        var bytes = await File.ReadAllBytesAsync(bundle);
        var payloadAt = Encoding.ASCII.GetString(bytes).IndexOf("\"payload\":\"", StringComparison.Ordinal) + 40;
        bytes[payloadAt] = (byte)(bytes[payloadAt] == (byte)'A' ? 'B' : 'A');
        var tampered = lab.Write("tampered.json", "");
        await File.WriteAllBytesAsync(tampered, bytes);
        var bad = await RunAsync(1, "attest", "verify", tampered, "--public-key", pub);
        Assert.Contains("INVALID (bad-signature)", bad.StdoutText, StringComparison.Ordinal);
        var both = await RunAsync(1, "attest", "verify", bundle, tampered, "--public-key", pub);
        Assert.EndsWith("1 valid, 1 invalid\n", both.StdoutText, StringComparison.Ordinal);

        // Another key: unknown, exit 1; a key given as the secret or not a key at all: bad input, exit 2.
        var otherSecret = Path.Combine(lab.Expressions, "other.sec");
        var otherPub = Path.Combine(lab.Expressions, "other.pub");
        await RunAsync(0, "attest", "keygen", "other-1", "--secret-key", otherSecret, "--public-key", otherPub);
        var unknown = await RunAsync(1, "attest", "verify", bundle, "--public-key", otherPub);
        Assert.Contains("INVALID (unknown-key): signed by key 'attest.example.org-1', which is not trusted (trusted: 'other-1')", unknown.StdoutText, StringComparison.Ordinal);
        var asSecret = await RunAsync(2, "attest", "verify", bundle, "--public-key", secret);
        Assert.Contains("--public-key takes a public key", asSecret.Stderr, StringComparison.Ordinal);
        await RunAsync(2, "attest", "verify", bundle, "--public-key", "no-such-file");
        await RunAsync(2, "attest", "verify", Path.Combine(lab.Expressions, "missing.json"), "--public-key", pub);
        await RunAsync(2, "attest", "verify", bundle);
        var publicAsKey = await RunAsync(2, "attest", "--db", db, "--revision", "rel", "--key", pub);
        Assert.Contains("secret key", publicAsKey.Stderr, StringComparison.Ordinal);
        await RunAsync(2, "attest", "--db", db, "--revision", "nope", "--key", secret);

        // --require-all: one FOD is not verified ok, so nothing is written.
        var all = lab.Write("all.json", "untouched");
        var refused = await RunAsync(1, "attest", "--db", db, "--revision", "rel", "--key", secret, "--require-all", "--out", all);
        Assert.Contains("--require-all", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("untouched", await File.ReadAllTextAsync(all));
    }

    [Fact]
    public async Task Per_fod_attestations_are_one_file_each_named_after_the_drv_and_verify_as_a_directory()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        var (lab, db, secret, pub, results) = await VerifiedRevisionAsync();
        await using var _ = lab;
        var dir = Path.Combine(lab.Expressions, "per-fod");

        await RunAsync(2, "attest", "--db", db, "--revision", "rel", "--key", secret, "--per-fod");
        var attest = await RunAsync(0, "attest", "--db", db, "--revision", "rel", "--key", secret, "--per-fod", "--out", dir);
        Assert.Contains($"2 files in {dir}", attest.Stderr, StringComparison.Ordinal);
        Assert.Empty(attest.Stdout);

        var expected = results.Where(r => r.Status == "ok")
            .Select(r => Path.GetFileName(r.DrvPath)[..^4] + ".attestation.json").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        var check = await RunAsync(0, "attest", "verify", dir, "--public-key", pub, "--json");
        var verified = JsonSerializer.Deserialize<List<Verified>>(check.Stdout, Json)!;
        Assert.Equal(2, verified.Count);
        Assert.All(verified, v =>
        {
            Assert.True(v.Valid, v.Message);
            var fod = Assert.Single(v.Fods!);
            Assert.Equal(Path.GetFileName(fod.DrvPath)[..^4] + ".attestation.json", Path.GetFileName(v.File));
        });

        // Each file stands alone: one changed, the other still valid.
        var first = Path.Combine(dir, expected[0]);
        var bytes = await File.ReadAllBytesAsync(first);
        bytes[^3] ^= 0x01;
        await File.WriteAllBytesAsync(first, bytes);
        var mixed = await RunAsync(1, "attest", "verify", dir, "--public-key", pub);
        Assert.Contains($"{first}: INVALID", mixed.StdoutText, StringComparison.Ordinal);
        Assert.Contains($"{Path.Combine(dir, expected[1])}: valid: revision rel, 1 FOD, ", mixed.StdoutText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keygen_writes_keys_nix_reads_and_never_overwrites()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        await using var lab = new AttackLab();
        var store = lab.NewStore("store");
        var secret = Path.Combine(store.Root, "k.sec");
        var pub = Path.Combine(store.Root, "k.pub");

        var made = await RunAsync(0, "attest", "keygen", "ci.example.org-1", "--secret-key", secret, "--public-key", pub);
        var publicText = await File.ReadAllTextAsync(pub);
        Assert.Contains(publicText, made.StdoutText, StringComparison.Ordinal);
        Assert.StartsWith("ci.example.org-1:", publicText, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secret));
        }

        // Nix derives the same public key from the secret vigil wrote.
        var derived = await store.RunAsync("sh", "-c", "nix --extra-experimental-features nix-command key convert-secret-to-public < \"$1\"", "sh", secret);
        Assert.Equal(publicText, derived.Trim());

        var again = await RunAsync(2, "attest", "keygen", "ci.example.org-1", "--secret-key", secret, "--public-key", pub + "2");
        Assert.Contains("never overwrites", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(publicText, await File.ReadAllTextAsync(pub));
        await RunAsync(2, "attest", "keygen", "bad:name", "--secret-key", secret + "2", "--public-key", pub + "2");
    }
}
