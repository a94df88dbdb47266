using System.Security.Cryptography;
using System.Text;
using Vigil.Nix.Hashing;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Tests.StorePaths;

/// <summary>docs/nix-formats.md §2.1–§2.7, §2.9 and §2.10: path constructions with their intermediate values.</summary>
public sealed class StorePathVectorTests
{
    /// <summary>NAR of the regular file "hello" (§5.2), what recursive hashes cover.</summary>
    internal static readonly byte[] HelloNar = Convert.FromHexString(
        "0d000000000000006e69782d617263686976652d3100000001000000000000002800000000000000040000000000000074797065000000000700000000000000726567756c6172000800000000000000636f6e74656e7473050000000000000068656c6c6f00000001000000000000002900000000000000");

    private const string Foo = "/nix/store/vxjiwkjkn7x4079qvh1jkl5pn05j2aw0-foo";
    private const string HelloText = "/nix/store/q790zdjk75hm2cn42nh77pqw4gbv1b88-hello.txt";
    private const string ContentAddressedFoo = "/nix/store/dxwkwjzdaq7ka55pkk252gh32bgpmql4-foo";

    private static readonly StoreDir Store = StoreDir.Default;

    private static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void Flat_sha256_worked_fingerprint()
    {
        const string inner = "fixed:out:sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824:";
        Assert.Equal("4da3988121a231b7512f1ed93b4ed3aed56696ea8c169cb9e53bf0e0ea417ba3", Sha256Hex(inner));
        Assert.Equal("1e4c5c3986dbdf92028b61ac4c05d248d8d87b8c2b1362a2d60bc1552a52295b",
            Sha256Hex("output:out:sha256:4da3988121a231b7512f1ed93b4ed3aed56696ea8c169cb9e53bf0e0ea417ba3:/nix/store:hello.txt"));
        Assert.Equal("iixxin28s82lrxs8v4lcf7nha2dkwprm", Nix32.Encode(Convert.FromHexString("355f3e9b50d01ec728d948f74c05d248d8d87b8c")));

        var viaType = Store.MakeStorePath("output:out", Convert.FromHexString("4da3988121a231b7512f1ed93b4ed3aed56696ea8c169cb9e53bf0e0ea417ba3"), "hello.txt");
        Assert.Equal("iixxin28s82lrxs8v4lcf7nha2dkwprm-hello.txt", viaType.BaseName);
        var hash = NixHash.Compute(HashAlgorithmKind.Sha256, "hello"u8);
        Assert.Equal("/nix/store/iixxin28s82lrxs8v4lcf7nha2dkwprm-hello.txt", Store.Print(Store.MakeFixedOutputPath(ContentAddressMethod.Flat, hash, "hello.txt")));
    }

    [Fact]
    public void Recursive_sha256_is_a_source_path()
    {
        var nar = NixHash.Compute(HashAlgorithmKind.Sha256, HelloNar);
        Assert.Equal("0a430879c266f8b57f4092a0f935cf3facd48bbccde5760d4748ca405171e969", nar.ToBase16());
        Assert.Equal("1811ca22739896e069fd6f0299519a1b5e28aeeb9ac80db8bf9f039b581851cf",
            Sha256Hex("source:sha256:0a430879c266f8b57f4092a0f935cf3facd48bbccde5760d4748ca405171e969:/nix/store:hello.txt"));
        Assert.Equal("xfp2hphvk98rkk9ywlqpp587rjdcgnc2-hello.txt", Store.MakeFixedOutputPath(ContentAddressMethod.Recursive, nar, "hello.txt").BaseName);
        Assert.Equal("xfp2hphvk98rkk9ywlqpp587rjdcgnc2-hello.txt", Store.MakeStorePath("source", nar.Digest, "hello.txt").BaseName);
    }

    [Fact]
    public void Recursive_sha1_uses_the_fixed_out_inner_hash()
    {
        var nar = NixHash.Compute(HashAlgorithmKind.Sha1, HelloNar);
        Assert.Equal("5144612b23081da49ab008bd0b73960b6a2b7fe9", nar.ToBase16());
        Assert.Equal("5b883bdf31d89dbdb271cc7dc6f38e5f902a498527b48e96c2cb71a40b2fea86", Sha256Hex("fixed:out:r:sha1:5144612b23081da49ab008bd0b73960b6a2b7fe9:"));
        Assert.Equal("a4m0z74z4awk987yxfpz3q1vb34901vn-hello.txt", Store.MakeFixedOutputPath(ContentAddressMethod.Recursive, nar, "hello.txt").BaseName);
    }

    [Fact]
    public void Text_worked_fingerprint()
    {
        Assert.Equal("6055c3f2a839edfcecd3d7fc40fab1534e1e65dfe07ee2f9188e3dd5ef0fefe1",
            Sha256Hex("text:sha256:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9:/nix/store:foo"));
        Assert.Equal(Foo, Store.Print(Store.MakeTextPath("foo", SHA256.HashData("bar"u8), null)));
        Assert.Equal(Foo, Store.Print(Store.MakeTextPath("foo", SHA256.HashData("bar"u8), [])));
    }

    [Theory]
    [InlineData(HashAlgorithmKind.Md5, ContentAddressMethod.Flat, "kckpqk5dy7g82i6w9vjmp4n2ilz1m9sk")]
    [InlineData(HashAlgorithmKind.Md5, ContentAddressMethod.Recursive, "s44vj4p8rqyi4jfdvvrlj47vscdx2iwz")]
    [InlineData(HashAlgorithmKind.Sha1, ContentAddressMethod.Flat, "bl4cpnz7cwz57jcydmc1ylp7y584axbs")]
    [InlineData(HashAlgorithmKind.Sha1, ContentAddressMethod.Recursive, "a4m0z74z4awk987yxfpz3q1vb34901vn")]
    [InlineData(HashAlgorithmKind.Sha256, ContentAddressMethod.Flat, "iixxin28s82lrxs8v4lcf7nha2dkwprm")]
    [InlineData(HashAlgorithmKind.Sha256, ContentAddressMethod.Recursive, "xfp2hphvk98rkk9ywlqpp587rjdcgnc2")]
    [InlineData(HashAlgorithmKind.Sha512, ContentAddressMethod.Flat, "8wyqp5vyydvckami85sghchxjldmk33b")]
    [InlineData(HashAlgorithmKind.Sha512, ContentAddressMethod.Recursive, "87qwgw0i0lg9xqahd3jgqw73jkm124i5")]
    public void Fixed_output_path_for_every_algorithm_and_mode(HashAlgorithmKind algo, ContentAddressMethod method, string hashPart)
    {
        var hash = NixHash.Compute(algo, method == ContentAddressMethod.Flat ? "hello"u8 : HelloNar);
        Assert.Equal($"/nix/store/{hashPart}-hello.txt", Store.Print(Store.MakeFixedOutputPath(method, hash, "hello.txt")));
    }

    [Fact]
    public void Fixed_outputs_other_than_recursive_sha256_take_no_references()
    {
        var sha1 = NixHash.Compute(HashAlgorithmKind.Sha1, "hello"u8);
        Assert.Throws<ArgumentException>(() => Store.MakeFixedOutputPath(ContentAddressMethod.Recursive, sha1, "x", [Foo]));
        Assert.Throws<ArgumentException>(() => Store.MakeFixedOutputPath(ContentAddressMethod.Flat, NixHash.Compute(HashAlgorithmKind.Sha256, "x"u8), "x", self: true));
    }

    [Theory]
    [InlineData("foo", "bar", "/nix/store/vxjiwkjkn7x4079qvh1jkl5pn05j2aw0-foo")]
    [InlineData("baz", Foo, "/nix/store/5xd714cbfnkz02h2vbsj4fm03x3f15nf-baz", Foo)]
    [InlineData("hello.txt", "hello", HelloText)]
    [InlineData("two-refs", Foo + " " + HelloText, "/nix/store/8p5q4siyh2valy8q9cjm8k9ma0vf2sz1-two-refs", Foo, HelloText)]
    [InlineData("..", "x", "/nix/store/hv29bhyiqgqrrvfwnrc9gg9g9cw83k4b-..")]
    public void Text_paths_with_references(string name, string contents, string expected, params string[] references)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(contents));
        Assert.Equal(expected, Store.Print(Store.MakeTextPath(name, digest, references)));
        // References are sorted before hashing: the order they are given in does not matter.
        Assert.Equal(expected, Store.Print(Store.MakeTextPath(name, digest, references.Reverse())));
    }

    [Fact]
    public void Reference_order_is_byte_order_of_the_paths()
    {
        Assert.Equal($"text:{HelloText}:{Foo}", StoreDir.MakeType("text", [Foo, HelloText]));
        Assert.Equal($"source:{ContentAddressedFoo}:self", StoreDir.MakeType("source", [ContentAddressedFoo], self: true));
        Assert.Equal("source", StoreDir.MakeType("source", null));
    }

    [Theory]
    [InlineData(HashAlgorithmKind.Sha1, "0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33", "/nix/store/mp57d33657rf34lzvlbpfa1gjfv5gmpg-bar")]
    [InlineData(HashAlgorithmKind.Sha256, "08813cbee9903c62be4c5027726a418a300da4500b2d369d3af9286f4815ceba", "/nix/store/4q0pg5zpfmznxscq3avycvf9xdvx50n3-bar")]
    public void Recursive_fixed_outputs_without_content(HashAlgorithmKind algo, string hex, string expected)
    {
        var hash = new NixHash(algo, Convert.FromHexString(hex));
        Assert.Equal(expected, Store.Print(Store.MakeFixedOutputPath(ContentAddressMethod.Recursive, hash, "bar")));
    }

    [Fact]
    public void Source_path_with_a_reference()
    {
        var hash = NixHash.Parse("sha256:1xqkzcb3909fp07qngljr4wcdnrh1gdam1m2n29i6hhrxlmkgkv1");
        Assert.Equal("/nix/store/s89y431zzhmdn3k8r96rvakryddkpv2v-baz",
            Store.Print(Store.MakeFixedOutputPath(ContentAddressMethod.Recursive, hash, "baz", [ContentAddressedFoo])));
    }

    [Fact]
    public void Source_path_with_a_self_reference()
    {
        var hash = NixHash.Parse("sha256:0fpg9arxhi9q188h59fnxbl2bjf8v3krbgy6qyjlim0312mw07r8");
        Assert.Equal("281fc0ab0803d448a5c7c6bf95e7d8c8c925e8ead6a502110a3845d8b34aef3a", hash.ToBase16());
        Assert.Equal("/nix/store/61nj8aazn421cyqircm6wqd6wijxwfs3-selfref",
            Store.Print(Store.MakeFixedOutputPath(ContentAddressMethod.Recursive, hash, "selfref", [ContentAddressedFoo], self: true)));
    }

    [Fact]
    public void Store_dir_is_part_of_the_fingerprint()
    {
        var gnu = new StoreDir("/gnu/store");
        Assert.Equal("/gnu/store/798sxvdgr0680czdggbls7rd3sfwk2yx-foo", gnu.Print(gnu.MakeTextPath("foo", SHA256.HashData("bar"u8), null)));
        Assert.Equal("/gnu/store/", gnu.Prefix);
    }

    [Fact]
    public void Content_address_hashes_of_section_2_9()
    {
        Assert.Equal("190k5ph58syggimih0bad4nbgklmzwbha6n5d9x66yprq3c9immw", NixHash.Compute(HashAlgorithmKind.Sha256, Encoding.UTF8.GetBytes(Foo)).ToNix32());
        Assert.Equal("094qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic", NixHash.Compute(HashAlgorithmKind.Sha256, "hello"u8).ToNix32());
        Assert.Equal("4jqlbi14cxf6wpcajbphm40hax", NixHash.Compute(HashAlgorithmKind.Md5, "hello"u8).ToNix32());
        Assert.Equal("0sg9f58l1jj88w6pdrfdpj5x9b1zrwszk84j81zvby36q9whhhqa", NixHash.Compute(HashAlgorithmKind.Sha256, HelloNar).ToNix32());
        Assert.Equal("x5zjnshbjrrhpg88n2da87884cmn2i2i", NixHash.Compute(HashAlgorithmKind.Sha1, HelloNar).ToNix32());
    }

    [Theory]
    [InlineData("hello", "out", "hello")]
    [InlineData("hello", "dev", "hello-dev")]
    [InlineData("has-multi-out", "lib", "has-multi-out-lib")]
    public void Output_path_names(string drvName, string output, string expected)
    {
        Assert.Equal(expected, StoreDir.OutputPathName(drvName, output));
    }

    [Theory]
    [InlineData("")]
    [InlineData("nix/store")]
    [InlineData("/nix/store/")]
    public void Store_dir_must_be_absolute_without_trailing_slash(string path)
    {
        Assert.ThrowsAny<ArgumentException>(() => new StoreDir(path));
    }
}
