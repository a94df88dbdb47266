using System.Text;
using Vigil.Nix.Hashing;
using Vigil.Nix.NarInfo;
using Vigil.Nix.Signatures;
using Vigil.Nix.StorePaths;
using Vigil.Nix.Tests.Signatures;

namespace Vigil.Nix.Tests.NarInfo;

public sealed class NarInfoSignatureTests
{
    private static readonly TrustedKeys Trusted = TrustedKeys.Parse(NixKeyVectors.Test1Public + " " + NixKeyVectors.AKeyPublic);

    private static NarInfoFile Vector(string name) => NarInfoFile.Parse(Encoding.UTF8.GetBytes(NixNarInfoVectors.ByName[name]));

    [Fact]
    public void Fingerprint_is_the_one_Nix_signs()
    {
        var info = Vector(nameof(NixNarInfoVectors.WithRef));

        Assert.Equal(NixKeyVectors.WithRefFingerprint, Encoding.UTF8.GetString(info.Fingerprint()));
    }

    [Theory]
    [MemberData(nameof(NixNarInfoVectors.Names), MemberType = typeof(NixNarInfoVectors))]
    public void Every_signature_Nix_made_verifies(string name)
    {
        var info = Vector(name);

        Assert.All(info.CheckSignatures(Trusted), c => Assert.Equal(SignatureStatus.Valid, c.Status));
        Assert.Equal(info.Signatures.Count, info.CountValidSignatures(Trusted));
    }

    [Theory]
    [MemberData(nameof(NixNarInfoVectors.Names), MemberType = typeof(NixNarInfoVectors))]
    public void Signing_again_reproduces_the_file_Nix_wrote(string name)
    {
        using var test1 = NixSigningKey.Parse(NixKeyVectors.Test1Secret);
        using var aKey = NixSigningKey.Parse(NixKeyVectors.AKeySecret);
        var info = Vector(name);
        var unsigned = info with { Signatures = [] };

        var signed = unsigned;
        foreach (var key in new[] { test1, aKey }.Where(k => info.Signatures.Any(s => s.StartsWith(k.Name + ":", StringComparison.Ordinal))))
        {
            signed = signed.Sign(key);
        }

        Assert.Equal(NixNarInfoVectors.ByName[name], signed.ToString());
    }

    public static readonly TheoryData<string> SignedChanges = new("nar-hash", "nar-size", "reference-removed", "reference-added", "store-path");

    [Theory]
    [MemberData(nameof(SignedChanges))]
    public void Changing_a_signed_field_breaks_every_signature(string change)
    {
        var info = Vector(nameof(NixNarInfoVectors.BuiltATwoSignatures));
        var tampered = change switch
        {
            "nar-hash" => info with { NarHash = NixHash.Compute(HashAlgorithmKind.Sha256, "evil"u8) },
            "nar-size" => info with { NarSize = info.NarSize + 1 },
            "reference-removed" => info with { References = [] },
            "reference-added" => info with { References = [.. info.References, StorePath.ParseBaseName("i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt")] },
            "store-path" => info with { StorePath = StorePath.ParseBaseName("3x60bal6rg1gf50aq5knz3a627ly6paf-built-a") },
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };

        Assert.All(tampered.CheckSignatures(Trusted), c => Assert.Equal(SignatureStatus.Invalid, c.Status));
        Assert.Equal(0, tampered.CountValidSignatures(Trusted));
    }

    [Fact]
    public void Unsigned_fields_can_change_without_breaking_signatures()
    {
        // What Nix signs leaves these out: a cache may recompress a NAR and keep its signatures.
        var info = Vector(nameof(NixNarInfoVectors.BuiltATwoSignatures));
        var moved = info with
        {
            Url = "nar/elsewhere.nar.zst",
            Compression = "zstd",
            FileHash = NixHash.Compute(HashAlgorithmKind.Sha256, "other"u8),
            FileSize = 1,
            Deriver = null,
            ContentAddress = "fixed:md5:4jqlbi14cxf6wpcajbphm40hax",
            References = [.. info.References.Reverse()],
        };

        Assert.Equal(2, moved.CountValidSignatures(Trusted));
    }

    [Fact]
    public void Signatures_by_unknown_keys_and_garbage_are_reported_not_thrown()
    {
        var info = Vector(nameof(NixNarInfoVectors.WithRef)).WithSignature("garbage").WithSignature("other-1:" + new string('A', 86) + "==");

        var checks = info.CheckSignatures(Trusted).ToDictionary(c => c.Signature, c => c.Status);

        Assert.Equal(SignatureStatus.Malformed, checks["garbage"]);
        Assert.Equal(SignatureStatus.UntrustedKey, checks["other-1:" + new string('A', 86) + "=="]);
        Assert.Equal(SignatureStatus.Valid, checks[NixKeyVectors.WithRefTest1Signature]);
        Assert.Equal(1, info.CountValidSignatures(Trusted));
        Assert.Equal(0, info.CountValidSignatures(TrustedKeys.Parse(NixKeyVectors.AKeyPublic)));
    }
}
