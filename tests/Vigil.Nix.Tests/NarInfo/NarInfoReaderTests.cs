using System.Text;
using Vigil.Nix.Hashing;
using Vigil.Nix.NarInfo;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Tests.NarInfo;

public sealed class NarInfoReaderTests
{
    private static NarInfoFile Parse(string text, StoreDir? storeDir = null) => NarInfoFile.Parse(Encoding.UTF8.GetBytes(text), storeDir);

    [Theory]
    [MemberData(nameof(NixNarInfoVectors.Names), MemberType = typeof(NixNarInfoVectors))]
    public void Files_written_by_Nix_round_trip_byte_for_byte(string name)
    {
        var bytes = Encoding.UTF8.GetBytes(NixNarInfoVectors.ByName[name]);

        var info = NarInfoFile.Parse(bytes);

        Assert.Equal(bytes, info.ToBytes());
        Assert.Equal(info, NarInfoFile.Parse(info.ToBytes()));
    }

    [Fact]
    public void Reads_every_field_Nix_writes()
    {
        var info = Parse(NixNarInfoVectors.WithRef);

        Assert.Equal("3vzh24bjk830k4bhip7gjiw27ggmrfqf-withref", info.StorePath.BaseName);
        Assert.Equal("/nix/store", info.StoreDir.Path);
        Assert.Equal("nar/09152a027n98lrd611942n8aj66w25csvqvd9xc1s95xc3knmhf8.nar.xz", info.Url);
        Assert.Equal("xz", info.Compression);
        Assert.Equal("sha256:09152a027n98lrd611942n8aj66w25csvqvd9xc1s95xc3knmhf8", info.FileHash!.ToString());
        Assert.Equal(180UL, info.FileSize);
        Assert.Equal(NixHash.Parse("sha256:0ycbixak31g44jydr2h0sjss5bxyaia40rpkjq277yqni4wqmgql"), info.NarHash);
        Assert.Equal(176UL, info.NarSize);
        Assert.Equal(["i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt"], info.References.Select(r => r.BaseName));
        Assert.Null(info.Deriver);
        Assert.Null(info.System);
        Assert.Equal(["test-1:aOwig6aCPYD/9ls9D1pKCYY2epGMTejWmPkksYA4U8S9T98P13libdiec/PhFpe977v1TliHsh9FbtNxWbUMCw=="], info.Signatures);
        Assert.Equal("text:sha256:1ry752wg8v4wz7qd0k91gs1hkzw63h4zgk0n3fwbs3614nw09b9p", info.ContentAddress);
        Assert.Empty(info.ExtraFields);
    }

    [Fact]
    public void Reads_deriver_self_reference_and_several_signatures()
    {
        var b = Parse(NixNarInfoVectors.BuiltBSelfReference);
        var a = Parse(NixNarInfoVectors.BuiltATwoSignatures);

        Assert.Equal("n521lap4k4b1qnh84yy0iy3fkxrkg0xg-built-b.drv", b.Deriver!.Value.BaseName);
        Assert.Contains(b.StorePath, b.References);
        Assert.Equal(2, a.Signatures.Count);
        Assert.StartsWith("a-key:", a.Signatures[0], StringComparison.Ordinal);
        Assert.StartsWith("test-1:", a.Signatures[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_references_are_written_with_the_trailing_space_Nix_writes()
    {
        var info = Parse(NixNarInfoVectors.HelloTxt);

        Assert.Empty(info.References);
        Assert.Contains("\nReferences: \n", info.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_compression_means_bzip2_and_stays_missing()
    {
        var text = Without(NixNarInfoVectors.WithRef, "Compression");

        var info = Parse(text);

        Assert.Null(info.Compression);
        Assert.Equal("bzip2", info.EffectiveCompression);
        Assert.Equal(text, info.ToString());
    }

    [Fact]
    public void Optional_file_hash_and_size_may_be_absent()
    {
        var text = Without(Without(NixNarInfoVectors.WithRef, "FileHash"), "FileSize");

        var info = Parse(text);

        Assert.Null(info.FileHash);
        Assert.Null(info.FileSize);
        Assert.Equal(text, info.ToString());
    }

    [Fact]
    public void Unknown_fields_are_kept_and_written_after_the_known_ones()
    {
        var text = NixNarInfoVectors.WithRef + "X-Vigil: checked\nFuture_Field.2: a: b \n";

        var info = Parse(text);

        Assert.Equal([new NarInfoField("X-Vigil", "checked"), new NarInfoField("Future_Field.2", "a: b ")], info.ExtraFields);
        Assert.Equal(text, info.ToString());
    }

    [Theory]
    [InlineData("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", HashEncoding.Base16)]
    [InlineData("sha256:LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", HashEncoding.Base64)]
    [InlineData("sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", HashEncoding.Sri)]
    [InlineData("sha256:094qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic", HashEncoding.Nix32)]
    public void A_hash_keeps_the_encoding_it_was_written_in(string narHash, HashEncoding encoding)
    {
        var text = Replace(NixNarInfoVectors.WithRef, "NarHash", narHash);

        var info = Parse(text);

        Assert.Equal(encoding, info.NarHashEncoding);
        Assert.Equal("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", info.NarHash.ToBase16());
        Assert.Equal(text, info.ToString());
    }

    [Fact]
    public void Unknown_deriver_means_none()
    {
        var info = Parse(NixNarInfoVectors.WithRef + "Deriver: unknown-deriver\n");

        Assert.Null(info.Deriver);
    }

    [Fact]
    public void Fields_in_another_order_are_read_and_written_in_Nix_order()
    {
        // nix-serve and Hydra put the hashes before Compression; the values are what count.
        var lines = NixNarInfoVectors.BuiltBSelfReference.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var shuffled = string.Concat(lines.Reverse().Select(l => l + "\n"));

        var info = Parse(shuffled);

        Assert.Equal(NixNarInfoVectors.BuiltBSelfReference, info.ToString());
    }

    [Fact]
    public void References_keep_file_order_and_repeated_spaces_are_separators()
    {
        var info = Parse(Replace(NixNarInfoVectors.BuiltBSelfReference, "References",
            " k8ns2fp0k5d4s1sjxcjx359frmb2hq46-built-b-lib  4p8fwwfdfp2fwga0dbdbsc5jjj5j2qvh-built-b "));

        Assert.Equal(["k8ns2fp0k5d4s1sjxcjx359frmb2hq46-built-b-lib", "4p8fwwfdfp2fwga0dbdbsc5jjj5j2qvh-built-b"], info.References.Select(r => r.BaseName));
    }

    [Fact]
    public void Store_path_is_read_under_the_given_store_directory()
    {
        var text = NixNarInfoVectors.WithRef.Replace("StorePath: /nix/store/", "StorePath: /gnu/store/", StringComparison.Ordinal);

        var info = Parse(text, new StoreDir("/gnu/store"));

        Assert.Equal("/gnu/store", info.StoreDir.Path);
        Assert.Equal(text, info.ToString());
        Assert.Throws<NixFormatException>(() => Parse(text));
    }

    [Theory]
    [InlineData("NarHash", "sha256:0ycbixak31g44jydr2h0sjss5bxyaia40rpkjq277yqni4wqmgql", "line 11, NarHash: duplicate field")]
    [InlineData("StorePath", "/nix/store/3vzh24bjk830k4bhip7gjiw27ggmrfqf-withref", "line 11, StorePath: duplicate field")]
    [InlineData("References", "", "line 11, References: duplicate field")]
    [InlineData("CA", "text:sha256:1ry752wg8v4wz7qd0k91gs1hkzw63h4zgk0n3fwbs3614nw09b9p", "line 11, CA: duplicate field")]
    [InlineData("Sig", "test-1:aOwig6aCPYD/9ls9D1pKCYY2epGMTejWmPkksYA4U8S9T98P13libdiec/PhFpe977v1TliHsh9FbtNxWbUMCw==", "line 11, Sig: the same signature appears twice")]
    public void A_repeated_field_is_rejected_at_its_second_occurrence(string field, string value, string reason)
    {
        var text = NixNarInfoVectors.WithRef + field + ": " + value + "\n";

        var e = Assert.Throws<NixFormatException>(() => Parse(text));

        Assert.Equal("narinfo", e.Format);
        Assert.Equal(reason, e.Reason);
        Assert.Equal(NixNarInfoVectors.WithRef.Length + field.Length + 2, e.Position);
    }

    [Theory]
    [InlineData("StorePath")]
    [InlineData("URL")]
    [InlineData("NarHash")]
    [InlineData("NarSize")]
    public void A_missing_required_field_is_named(string field)
    {
        var text = Without(NixNarInfoVectors.WithRef, field);

        var e = Assert.Throws<NixFormatException>(() => Parse(text));

        Assert.Equal("missing required field " + field, e.Reason);
        Assert.Equal(text.Length, e.Position);
    }

    [Theory]
    [InlineData("NarHash", "sha256:0ycbixak31g44jydr2h0sjss5bxyaia40rpkjq277yqni4wqmgqe", "NarHash")]
    [InlineData("NarHash", "0ycbixak31g44jydr2h0sjss5bxyaia40rpkjq277yqni4wqmgql", "NarHash")]
    [InlineData("NarHash", "sha257:0ycbixak31g44jydr2h0sjss5bxyaia40rpkjq277yqni4wqmgql", "NarHash")]
    [InlineData("NarHash", "sha256:0ycb", "NarHash")]
    [InlineData("FileHash", "sha256:z9152a027n98lrd611942n8aj66w25csvqvd9xc1s95xc3knmhf8", "FileHash")]
    [InlineData("NarSize", "", "NarSize")]
    [InlineData("NarSize", "12a", "NarSize")]
    [InlineData("NarSize", "-1", "NarSize")]
    [InlineData("NarSize", "+176", "NarSize")]
    [InlineData("NarSize", "0176", "NarSize")]
    [InlineData("NarSize", "0", "NarSize")]
    [InlineData("NarSize", "18446744073709551616", "NarSize")]
    [InlineData("FileSize", "1e3", "FileSize")]
    [InlineData("References", "i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt", "References")]
    [InlineData("References", "i9pmrzmpshapij2kin22pff6fc2adavx", "References")]
    [InlineData("References", "/nix/store/i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt", "References")]
    [InlineData("References", "i9pmrzmpshapij2kin22pff6fc2adavx-hello!txt", "References")]
    [InlineData("References", "e9pmrzmpshapij2kin22pff6fc2adavx-hello.txt", "References")]
    [InlineData("StorePath", "3vzh24bjk830k4bhip7gjiw27ggmrfqf-withref", "StorePath")]
    [InlineData("StorePath", "/nix/store/3vzh24bjk830k4bhip7gjiw27ggmrfqf-withref/sub", "StorePath")]
    [InlineData("Deriver", "/nix/store/n521lap4k4b1qnh84yy0iy3fkxrkg0xg-built-b.drv", "Deriver")]
    [InlineData("URL", "", "URL")]
    [InlineData("CA", "", "CA")]
    [InlineData("CA", "source:sha256:1ry752wg8v4wz7qd0k91gs1hkzw63h4zgk0n3fwbs3614nw09b9p", "CA")]
    [InlineData("CA", "text:sha1:1ry752wg8v4wz7qd0k91gs1hkzw63h4z", "CA")]
    [InlineData("CA", "fixed:r:sha256:sha256:1ry752wg8v4wz7qd0k91gs1hkzw63h4zgk0n3fwbs3614nw09b9p", "CA")]
    [InlineData("CA", "fixed:r:sha256", "CA")]
    [InlineData("CA", "fixed:sha1:1ry752wg8v4wz7qd0k91gs1hkzw63h4zgk0n3fwbs3614nw09b9p", "CA")]
    public void A_bad_value_is_rejected_naming_its_line_and_field(string field, string value, string named)
    {
        var text = Replace(NixNarInfoVectors.WithRef, field, value);
        var line = 1 + text[..text.IndexOf(field + ": ", StringComparison.Ordinal)].Count(c => c == '\n');
        var valueAt = text.IndexOf(field + ": ", StringComparison.Ordinal) + field.Length + 2;

        var e = Assert.Throws<NixFormatException>(() => Parse(text));

        Assert.Equal("narinfo", e.Format);
        Assert.StartsWith($"line {line}, {named}: ", e.Reason, StringComparison.Ordinal);
        Assert.InRange(e.Position, valueAt, valueAt + value.Length);
    }

    [Fact]
    public void Error_position_points_into_the_bad_reference()
    {
        var text = Replace(NixNarInfoVectors.WithRef, "References", "i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt i9pmrzmpshapij2kin22pff6fc2adavx-b@d");

        var e = Assert.Throws<NixFormatException>(() => Parse(text));

        Assert.Equal('@', text[(int)e.Position]);
        Assert.Contains("bad reference 'i9pmrzmpshapij2kin22pff6fc2adavx-b@d'", e.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("StorePath: /nix/store/3vzh24bjk830k4bhip7gjiw27ggmrfqf-withref", "line 1 does not end with a newline")]
    [InlineData("\n", "line 1 is not of the form 'Name: value'")]
    [InlineData("StorePath /nix/store/3vzh24bjk830k4bhip7gjiw27ggmrfqf-withref\n", "line 1 is not of the form 'Name: value'")]
    [InlineData("StorePath:/nix/store/3vzh24bjk830k4bhip7gjiw27ggmrfqf-withref\n", "line 1, StorePath: expected ': ' after the field name")]
    [InlineData("StorePath:\n", "line 1, StorePath: expected ': ' after the field name")]
    [InlineData("Store Path: x\n", "line 1 has an invalid field name")]
    [InlineData(": x\n", "line 1 has an invalid field name")]
    [InlineData("", "missing required field StorePath")]
    public void Bad_lines_are_rejected(string text, string reason)
    {
        var e = Assert.Throws<NixFormatException>(() => Parse(text));

        Assert.Equal(reason, e.Reason);
    }

    [Fact]
    public void Windows_line_endings_are_not_a_narinfo()
    {
        var e = Assert.Throws<NixFormatException>(() => Parse(NixNarInfoVectors.WithRef.Replace("\n", "\r\n", StringComparison.Ordinal)));

        Assert.StartsWith("line 1, StorePath: ", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_is_rejected_at_the_bad_byte()
    {
        var bytes = Encoding.UTF8.GetBytes(NixNarInfoVectors.WithRef + "System: x86_64-linux\n");
        var at = Array.LastIndexOf(bytes, (byte)'_');
        bytes[at] = 0xC3;

        var e = Assert.Throws<NixFormatException>(() => NarInfoFile.Parse(bytes));

        Assert.Equal(at, e.Position);
        Assert.Equal("line 11, System: value is not valid UTF-8", e.Reason);
    }

    [Fact]
    public void Input_over_the_size_limit_is_rejected_before_reading()
    {
        var bytes = new byte[NarInfoReader.MaxSize + 1];

        var e = Assert.Throws<NixFormatException>(() => NarInfoFile.Parse(bytes));

        Assert.Contains("limit", e.Reason, StringComparison.Ordinal);
    }

    private static string Without(string text, string field) =>
        string.Concat(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith(field + ": ", StringComparison.Ordinal)).Select(l => l + "\n"));

    /// <summary>Sets the field's value, appending the line when the file has none.</summary>
    private static string Replace(string text, string field, string value) =>
        text.Contains("\n" + field + ": ", StringComparison.Ordinal) || text.StartsWith(field + ": ", StringComparison.Ordinal)
            ? string.Concat(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => (l.StartsWith(field + ": ", StringComparison.Ordinal) ? field + ": " + value : l) + "\n"))
            : text + field + ": " + value + "\n";
}
