using System.Text;
using Vigil.Nix.Hashing;
using Vigil.Nix.NarInfo;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Tests.NarInfo;

public sealed class NarInfoWriterTests
{
    private static readonly NarInfoFile WithRef = NarInfoFile.Parse(Encoding.UTF8.GetBytes(NixNarInfoVectors.WithRef));

    [Fact]
    public void A_narinfo_built_in_code_is_written_as_Nix_writes_it()
    {
        var info = new NarInfoFile
        {
            StorePath = StorePath.ParseBaseName("3vzh24bjk830k4bhip7gjiw27ggmrfqf-withref"),
            Url = "nar/09152a027n98lrd611942n8aj66w25csvqvd9xc1s95xc3knmhf8.nar.xz",
            Compression = "xz",
            FileHash = NixHash.Parse("sha256:09152a027n98lrd611942n8aj66w25csvqvd9xc1s95xc3knmhf8"),
            FileSize = 180,
            NarHash = NixHash.Parse("sha256-FL+KOYkW+3MElvNmQFRUvq+itdQAity8JOSFMVWPi3k="),
            NarSize = 176,
            References = [StorePath.ParseBaseName("i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt")],
            Signatures = ["test-1:aOwig6aCPYD/9ls9D1pKCYY2epGMTejWmPkksYA4U8S9T98P13libdiec/PhFpe977v1TliHsh9FbtNxWbUMCw=="],
            ContentAddress = "text:sha256:1ry752wg8v4wz7qd0k91gs1hkzw63h4zgk0n3fwbs3614nw09b9p",
        };

        Assert.Equal(NixNarInfoVectors.WithRef, info.ToString());
        Assert.Equal(WithRef, info);
    }

    public static readonly TheoryData<string> Corruptions = new(
        "url-newline", "url-empty", "compression-newline", "system-newline", "nar-size-zero", "duplicate-reference",
        "default-reference", "default-store-path", "default-deriver", "duplicate-signature", "signature-newline",
        "bad-ca", "extra-known-name", "extra-bad-name", "extra-newline", "lone-surrogate");

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void What_the_reader_would_refuse_is_not_written(string corruption)
    {
        var lib = StorePath.ParseBaseName("k8ns2fp0k5d4s1sjxcjx359frmb2hq46-built-b-lib");
        var bad = corruption switch
        {
            "url-newline" => WithRef with { Url = "nar/x.nar\nSig: forged:AAAA" },
            "url-empty" => WithRef with { Url = "" },
            "compression-newline" => WithRef with { Compression = "xz\n" },
            "system-newline" => WithRef with { System = "x86_64-linux\nCA: text:x" },
            "nar-size-zero" => WithRef with { NarSize = 0 },
            "duplicate-reference" => WithRef with { References = [lib, lib] },
            "default-reference" => WithRef with { References = [default] },
            "default-store-path" => WithRef with { StorePath = default },
            "default-deriver" => WithRef with { Deriver = default(StorePath) },
            "duplicate-signature" => WithRef with { Signatures = ["a:b", "a:b"] },
            "signature-newline" => WithRef with { Signatures = ["a:b\n"] },
            "bad-ca" => WithRef with { ContentAddress = "fixed:sha256:nope" },
            "extra-known-name" => WithRef with { ExtraFields = [new NarInfoField("Sig", "forged:AAAA")] },
            "extra-bad-name" => WithRef with { ExtraFields = [new NarInfoField("Bad Name", "x")] },
            "extra-newline" => WithRef with { ExtraFields = [new NarInfoField("X", "a\nb")] },
            "lone-surrogate" => WithRef with { System = "\ud800" },
            _ => throw new ArgumentOutOfRangeException(nameof(corruption)),
        };

        Assert.ThrowsAny<ArgumentException>(() => bad.ToBytes());
    }

    [Fact]
    public void With_signature_inserts_in_Nix_order_once()
    {
        var info = WithRef with { Signatures = ["m-key:x", "t-key:y"] };

        var added = info.WithSignature("a-key:z").WithSignature("p-key:w").WithSignature("z-key:v").WithSignature("m-key:x");

        Assert.Equal(["a-key:z", "m-key:x", "p-key:w", "t-key:y", "z-key:v"], added.Signatures);
        Assert.Same(info, info.WithSignature("t-key:y"));
    }

    [Fact]
    public void Equality_compares_contents_not_list_identity()
    {
        var copy = NarInfoFile.Parse(WithRef.ToBytes());

        Assert.Equal(WithRef, copy);
        Assert.Equal(WithRef.GetHashCode(), copy.GetHashCode());
        Assert.NotEqual(WithRef, copy with { References = [] });
        Assert.NotEqual(WithRef, copy with { NarHashEncoding = HashEncoding.Base16 });
    }
}
