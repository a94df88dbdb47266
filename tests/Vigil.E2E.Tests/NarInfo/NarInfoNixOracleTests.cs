using System.Text;
using System.Text.Json;
using Vigil.Nix.Hashing;
using Vigil.Nix.NarInfo;
using Vigil.Nix.Signatures;
using Vigil.Nix.StorePaths;

namespace Vigil.E2E.Tests.NarInfo;

/// <summary>Real Nix 2.8 wrote the caches and signatures; our reader, writer and signer must agree with it byte for byte.</summary>
public sealed class NarInfoNixOracleTests(NixBinaryCacheFixture nix) : IClassFixture<NixBinaryCacheFixture>
{
    private IEnumerable<(string File, byte[] Bytes)> NarInfos(string cache) =>
        Directory.EnumerateFiles(cache, "*.narinfo").Order(StringComparer.Ordinal).Select(f => (f, File.ReadAllBytes(f)));

    private IEnumerable<(string File, byte[] Bytes)> AllNarInfos => NarInfos(nix.XzCache).Concat(NarInfos(nix.PlainCache));

    private void RequireNix() => Assert.SkipWhen(!nix.NixAvailable, "nix is not installed");

    [Fact]
    public void Every_narinfo_Nix_wrote_round_trips_byte_for_byte()
    {
        RequireNix();
        var count = 0;
        foreach (var (file, bytes) in AllNarInfos)
        {
            var info = NarInfoFile.Parse(bytes);
            Assert.True(bytes.AsSpan().SequenceEqual(info.ToBytes()), $"{file} is not written back byte for byte");
            Assert.StartsWith(info.StorePath.HashPart.ToString() + ".", Path.GetFileName(file), StringComparison.Ordinal);
            count++;
        }
        // hello.txt, withref, fixed sha1, dep, built-a, built-b, built-b-lib in each cache.
        Assert.Equal(14, count);
    }

    [Fact]
    public void Every_signature_Nix_wrote_verifies_with_the_public_keys_Nix_wrote()
    {
        RequireNix();
        var trusted = TrustedKeys.Parse(nix.PublicKeys);
        var signatures = 0;
        foreach (var (file, bytes) in AllNarInfos)
        {
            var info = NarInfoFile.Parse(bytes);
            Assert.NotEmpty(info.Signatures);
            Assert.All(info.CheckSignatures(trusted), c => Assert.True(c.Status == SignatureStatus.Valid, $"{file}: {c.Signature} is {c.Status}"));
            signatures += info.Signatures.Count;
        }
        // 7 + 7 from the copies, plus the test-1 signatures nix store sign put on built-a and built-b (kept by the a-key copy).
        Assert.Equal(16, signatures);
    }

    [Fact]
    public void Our_signatures_equal_those_Nix_made_byte_for_byte()
    {
        RequireNix();
        using var test1 = NixSigningKey.Parse(File.ReadAllText(nix.Test1SecretFile));
        using var aKey = NixSigningKey.Parse(File.ReadAllText(nix.AKeySecretFile));
        Assert.Equal(nix.PublicKeys, test1.PublicKey + " " + aKey.PublicKey);
        foreach (var (file, bytes) in AllNarInfos)
        {
            var info = NarInfoFile.Parse(bytes);
            var resigned = info with { Signatures = [] };
            foreach (var signature in info.Signatures)
            {
                var key = signature.StartsWith("test-1:", StringComparison.Ordinal) ? test1 : aKey;
                Assert.Equal(signature, key.Sign(info.Fingerprint()).ToString());
                resigned = resigned.Sign(key);
            }
            Assert.True(bytes.AsSpan().SequenceEqual(resigned.ToBytes()), $"re-signing {file} did not reproduce it");
        }
    }

    [Fact]
    public void Changing_what_Nix_signed_makes_verification_fail()
    {
        RequireNix();
        var trusted = TrustedKeys.Parse(nix.PublicKeys);
        var stranger = StorePath.ParseBaseName("00000000000000000000000000000000-stranger");
        foreach (var (_, bytes) in AllNarInfos)
        {
            var info = NarInfoFile.Parse(bytes);
            NarInfoFile[] tampered =
            [
                info with { NarHash = NixHash.Compute(HashAlgorithmKind.Sha256, "poisoned"u8) },
                info with { NarSize = info.NarSize + 1 },
                info with { References = [.. info.References, stranger] },
                info with { StorePath = stranger },
                .. info.References.Count > 0 ? [info with { References = [.. info.References.Skip(1)] }] : Array.Empty<NarInfoFile>(),
            ];
            foreach (var changed in tampered)
            {
                // Written and read back, as a poisoned cache would serve it.
                var served = NarInfoFile.Parse(changed.ToBytes());
                Assert.Equal(0, served.CountValidSignatures(trusted));
                Assert.All(served.CheckSignatures(trusted), c => Assert.Equal(SignatureStatus.Invalid, c.Status));
            }
        }
    }

    [Fact]
    public void Path_info_json_agrees_with_the_narinfos_and_its_signatures_verify()
    {
        RequireNix();
        var trusted = TrustedKeys.Parse(nix.PublicKeys);
        using var json = JsonDocument.Parse(nix.PathInfoJson);
        var entries = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(7, entries.Count);
        foreach (var entry in entries)
        {
            var path = StoreDir.Default.Parse(entry.GetProperty("path").GetString()!);
            var narHash = NixHash.Parse(entry.GetProperty("narHash").GetString()!);
            var narSize = entry.GetProperty("narSize").GetUInt64();
            var references = entry.GetProperty("references").EnumerateArray().Select(r => StoreDir.Default.Parse(r.GetString()!)).ToList();
            var signatures = entry.TryGetProperty("signatures", out var sigs) ? sigs.EnumerateArray().Select(s => s.GetString()!).ToList() : [];

            var info = NarInfoFile.Parse(File.ReadAllBytes(Path.Combine(nix.PlainCache, path.HashPart.ToString() + ".narinfo")));
            Assert.Equal(path, info.StorePath);
            Assert.Equal(narHash, info.NarHash);
            Assert.Equal(narSize, info.NarSize);
            Assert.Equal(references, info.References);
            Assert.Equal(entry.TryGetProperty("deriver", out var deriver) ? StoreDir.Default.Parse(deriver.GetString()!) : null, info.Deriver);
            Assert.Equal(entry.TryGetProperty("ca", out var ca) ? ca.GetString() : null, info.ContentAddress);
            Assert.Subset(info.Signatures.ToHashSet(), signatures.ToHashSet());

            // The store's own signatures, checked against a fingerprint built from the JSON alone.
            var fingerprint = PathInfoFingerprint.Compute(StoreDir.Default, path, narHash, narSize, references);
            Assert.Equal(info.Fingerprint(), fingerprint);
            Assert.All(signatures, s => Assert.Equal(SignatureStatus.Valid, trusted.Check(fingerprint, s)));
        }
    }

    [Fact]
    public async Task Nix_accepts_narinfos_we_signed_and_rejects_them_once_tampered()
    {
        RequireNix();
        using var ours = NixSigningKey.FromSeed("vigil-e2e-1", SHA256("vigil narinfo e2e"));
        var signed = CopyCache(nix.PlainCache, "cache-ours");
        foreach (var file in Directory.EnumerateFiles(signed, "*.narinfo"))
        {
            var info = NarInfoFile.Parse(File.ReadAllBytes(file));
            File.WriteAllBytes(file, (info with { Signatures = [] }).Sign(ours).ToBytes());
        }

        var accepted = await Verify(signed, ours.PublicKey);
        var strangerKey = await Verify(signed, NixPublicKey.Parse(File.ReadAllText(Path.Combine(nix.Root, "a-key.pub"))));

        var tampered = CopyCache(signed, "cache-ours-tampered");
        var victim = Directory.EnumerateFiles(tampered, "*.narinfo").Order(StringComparer.Ordinal).First();
        var victimInfo = NarInfoFile.Parse(File.ReadAllBytes(victim));
        File.WriteAllBytes(victim, (victimInfo with { NarSize = victimInfo.NarSize + 8 }).ToBytes());
        var rejected = await Verify(tampered, ours.PublicKey);

        Assert.True(accepted.ExitCode == 0, accepted.Stderr);
        Assert.NotEqual(0, strangerKey.ExitCode);
        Assert.NotEqual(0, rejected.ExitCode);
        Assert.Contains($"path '{StoreDir.Default.Prefix}{victimInfo.StorePath}' is untrusted", rejected.Stderr, StringComparison.Ordinal);
        Assert.Single(rejected.Stderr.Split('\n'), l => l.Contains("is untrusted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Nix_signs_with_a_key_we_exported_exactly_as_we_do()
    {
        RequireNix();
        using var ours = NixSigningKey.FromSeed("vigil-e2e-2", SHA256("vigil narinfo e2e, second key"));
        var keyFile = Path.Combine(nix.Root, "vigil-e2e-2.sec");
        File.WriteAllText(keyFile, ours.ExportSecretKey());
        var path = nix.TopPaths[0];

        await nix.Nix.RunNixAsync("store", "sign", "--key-file", keyFile, path);
        using var json = JsonDocument.Parse(await nix.Nix.RunNixAsync("path-info", "--json", "--sigs", path));

        var nixSignature = json.RootElement[0].GetProperty("signatures").EnumerateArray()
            .Select(s => s.GetString()!).Single(s => s.StartsWith("vigil-e2e-2:", StringComparison.Ordinal));
        var info = NarInfoFile.Parse(File.ReadAllBytes(Path.Combine(nix.XzCache, StoreDir.Default.Parse(path).HashPart.ToString() + ".narinfo")));
        Assert.Equal(nixSignature, ours.Sign(info.Fingerprint()).ToString());
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> Verify(string cache, NixPublicKey key) =>
        nix.Nix.TryRunNixAsync(["store", "verify", "--store", "file://" + cache, "--no-contents",
            "--trusted-public-keys", key.ToString(), "--sigs-needed", "1", .. nix.TopPaths, "--recursive"]);

    private string CopyCache(string from, string name)
    {
        var to = Path.Combine(nix.Root, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return to;
    }

    private static byte[] SHA256(string text) => System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text));
}
