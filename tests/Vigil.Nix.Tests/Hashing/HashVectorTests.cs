using System.Text;
using Vigil.Nix.Hashing;

namespace Vigil.Nix.Tests.Hashing;

/// <summary>docs/nix-formats.md §1.1 and §1.9: digests of "hello" and "abc" in every encoding.</summary>
public sealed class HashVectorTests
{
    public static TheoryData<string, HashAlgorithmKind, string, string, string> Vectors => new()
    {
        { "hello", HashAlgorithmKind.Md5, "5d41402abc4b2a76b9719d911017c592", "4jqlbi14cxf6wpcajbphm40hax", "md5-XUFAKrxLKna5cZ2REBfFkg==" },
        { "hello", HashAlgorithmKind.Sha1, "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d", "9m1skbnr5i43n3yypvda5s65vhfwdx5a", "sha1-qvTGHdzF6KLavt4PO0gs2a6pQ00=" },
        { "hello", HashAlgorithmKind.Sha256, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", "094qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic", "sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=" },
        {
            "hello", HashAlgorithmKind.Sha512,
            "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043",
            "11w1pmwfdpz9pisbhp5qiv38q6dmidq2ipcqykw3p0sb6yrqcij79rwcwcjbxyzwbdal349qbxrncbk7pmd6snljrfpiwv2pljd4wcv",
            "sha512-m3HSJL1i83hdltRq0+o9czGb+8KJDKra4t/3JRlnPKcjI8PZm6XBHXx6zG4UuMXaDEZjR1wuXDre9G9zvN7AQw=="
        },
        { "abc", HashAlgorithmKind.Md5, "900150983cd24fb0d6963f7d28e17f72", "3jgzhjhz9zjvbb0kyj7jc500ch", "md5-kAFQmDzST7DWlj99KOF/cg==" },
        { "abc", HashAlgorithmKind.Sha1, "a9993e364706816aba3e25717850c26c9cd0d89d", "kpcd173cq987hw957sx6m0868wv3x6d9", "sha1-qZk+NkcGgWq6PiVxeFDCbJzQ2J0=" },
        { "abc", HashAlgorithmKind.Sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s", "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=" },
        {
            "abc", HashAlgorithmKind.Sha512,
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            "2gs8k559z4rlahfx0y688s49m2vvszylcikrfinm30ly9rak69236nkam5ydvly1ai7xac99vxfc4ii84hawjbk876blyk1jfhkbbyx",
            "sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw=="
        },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Computes_and_prints_every_encoding(string input, HashAlgorithmKind algo, string base16, string nix32, string sri)
    {
        var hash = NixHash.Compute(algo, Encoding.ASCII.GetBytes(input));

        Assert.Equal(base16, hash.ToBase16());
        Assert.Equal(nix32, hash.ToNix32());
        Assert.Equal(sri, hash.ToSri());
        Assert.Equal(sri, hash.ToString(HashEncoding.Sri, includeAlgorithm: false));
        Assert.Equal(algo.Name() + ":" + nix32, hash.ToString());
        Assert.Equal(algo.Name() + ":" + base16, hash.ToString(HashEncoding.Base16, includeAlgorithm: true));
        Assert.Equal(base16, hash.ToString(HashEncoding.Base16, includeAlgorithm: false));
        Assert.Equal(sri[(algo.Name().Length + 1)..], hash.ToString(HashEncoding.Base64, includeAlgorithm: false));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Parses_every_spelling_back_to_the_same_digest(string input, HashAlgorithmKind algo, string base16, string nix32, string sri)
    {
        var expected = NixHash.Compute(algo, Encoding.ASCII.GetBytes(input));
        var base64 = sri[(algo.Name().Length + 1)..];
        string[] spellings =
        [
            algo.Name() + ":" + base16,
            algo.Name() + ":" + base16.ToUpperInvariant(),
            algo.Name() + ":" + nix32,
            algo.Name() + ":" + base64,
            sri,
            sri.TrimEnd('='),
        ];
        foreach (var s in spellings)
        {
            Assert.Equal(expected, NixHash.Parse(s));
            Assert.Equal(expected, NixHash.Parse(s, algo));
        }
        foreach (var bare in new[] { base16, base16.ToUpperInvariant(), nix32, base64 })
        {
            Assert.Equal(expected, NixHash.Parse(bare, algo));
            Assert.Equal(expected, NixHash.ParseUnprefixed(bare, algo));
        }
    }

    [Theory]
    [InlineData(HashAlgorithmKind.Md5, 16, 32, 26, 24)]
    [InlineData(HashAlgorithmKind.Sha1, 20, 40, 32, 28)]
    [InlineData(HashAlgorithmKind.Sha256, 32, 64, 52, 44)]
    [InlineData(HashAlgorithmKind.Sha512, 64, 128, 103, 88)]
    public void Lengths_of_each_encoding(HashAlgorithmKind algo, int bytes, int base16, int nix32, int base64)
    {
        Assert.Equal(bytes, algo.DigestSize());
        var hash = NixHash.Zero(algo);
        Assert.Equal(base16, hash.ToBase16().Length);
        Assert.Equal(nix32, Nix32.EncodedLength(bytes));
        Assert.Equal(nix32, hash.ToNix32().Length);
        Assert.Equal(base64, NixHash.Base64Length(bytes));
        Assert.Equal(base64, hash.ToBase64().Length);
    }

    [Fact]
    public void Sha256_of_the_empty_string()
    {
        Assert.Equal("0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73", NixHash.Compute(HashAlgorithmKind.Sha256, []).ToNix32());
    }

    [Theory]
    [InlineData("md5", HashAlgorithmKind.Md5)]
    [InlineData("sha1", HashAlgorithmKind.Sha1)]
    [InlineData("sha256", HashAlgorithmKind.Sha256)]
    [InlineData("sha512", HashAlgorithmKind.Sha512)]
    public void Algorithm_names_are_lowercase_only(string name, HashAlgorithmKind algo)
    {
        Assert.Equal(algo, HashAlgorithms.Parse(name));
        Assert.Equal(name, algo.Name());
        Assert.False(HashAlgorithms.TryParse(name.ToUpperInvariant(), out _));
        var e = Assert.Throws<NixFormatException>(() => HashAlgorithms.Parse(name.ToUpperInvariant()));
        Assert.Equal("hash", e.Format);
    }

    [Theory]
    [InlineData("blake3")]
    [InlineData("sha384")]
    [InlineData("")]
    [InlineData("sha-256")]
    public void Unknown_algorithms_are_rejected(string name)
    {
        Assert.False(HashAlgorithms.TryParse(name, out _));
        Assert.Throws<NixFormatException>(() => HashAlgorithms.Parse(name));
    }
}
