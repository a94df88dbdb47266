using System.Buffers;
using System.Text;
using Vigil.Nix.Nar;

namespace Vigil.Nix.Tests.Nar;

public sealed class NarReaderTests
{
    /// <summary>A NAR from tokens: strings become str(), a ulong is written raw (to forge lengths).</summary>
    private static byte[] Nar(params object[] tokens)
    {
        var bytes = new List<byte>();
        foreach (var t in tokens)
        {
            switch (t)
            {
                case string s:
                    NarModel.AppendString(bytes, Encoding.UTF8.GetBytes(s));
                    break;
                case byte[] b:
                    NarModel.AppendString(bytes, b);
                    break;
                case object[] nested:
                    bytes.AddRange(Nar(nested));
                    break;
                case ulong u:
                    bytes.AddRange(BitConverter.GetBytes(u));
                    break;
                default:
                    throw new ArgumentException(t.GetType().Name);
            }
        }
        return [.. bytes];
    }

    private static object[] Dir(params object[] entries) => ["(", "type", "directory", .. entries, ")"];

    private static object[] Entry(object name, params object[] node) => ["entry", "(", "name", name, "node", .. node, ")"];

    private static readonly object[] File = ["(", "type", "regular", "contents", "x", ")"];

    private static NixFormatException Rejects(byte[] nar, NarReaderLimits? limits = null) =>
        Assert.Throws<NixFormatException>(() => NarReader.Read(nar, new NarModel.NullVisitor(), limits));

    private static byte[] RoundTrip(byte[] nar)
    {
        var output = new ArrayBufferWriter<byte>();
        NarReader.Read(nar, new NarEncoder(output));
        return output.WrittenSpan.ToArray();
    }

    [Theory]
    [MemberData(nameof(NarVectors.Names), MemberType = typeof(NarVectors))]
    public void Vectors_round_trip_through_reader_and_encoder(string name)
    {
        var v = NarVectors.ByName(name);
        var nar = v.NarHex is null ? NarVectors.TreeFromTokens() : Convert.FromHexString(v.NarHex);
        Assert.Equal(nar, RoundTrip(nar));
    }

    [Fact]
    public void Events_describe_the_tree()
    {
        var builder = new NarModel.Builder();
        NarReader.Read(NarVectors.TreeFromTokens(), builder);
        var root = Assert.IsType<NarModel.Dir>(builder.Root);
        Assert.Equal(["Z", "b.txt", "link", "run.sh", "sub"], root.Entries.Select(e => Encoding.UTF8.GetString(e.Name)));
        var run = Assert.IsType<NarModel.File>(root.Entries[3].Node);
        Assert.True(run.Executable);
        Assert.Equal("#!/bin/sh\necho hi\n", Encoding.UTF8.GetString(run.Contents));
        Assert.Equal("b.txt", Encoding.UTF8.GetString(Assert.IsType<NarModel.Link>(root.Entries[2].Node).Target));
        var sub = Assert.IsType<NarModel.Dir>(root.Entries[4].Node);
        Assert.Empty(Assert.IsType<NarModel.File>(sub.Entries[0].Node).Contents);
    }

    [Fact]
    public void Canonical_minimal_nar_is_accepted()
    {
        NarReader.Read(Nar(["nix-archive-1", .. Dir(Entry("a", File), Entry("b", File))]), new NarModel.NullVisitor());
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a\0b")]
    public void Invalid_names_are_rejected(string name)
    {
        var e = Rejects(Nar(["nix-archive-1", .. Dir(Entry(name, File))]));
        Assert.Equal("NAR", e.Format);
        Assert.Contains("invalid file name", e.Reason, StringComparison.Ordinal);
        Assert.Equal(24 + 16 + 16 + 24 + 16 + 16 + 16, e.Position); // magic ( type directory entry ( name
    }

    [Theory]
    [InlineData("b", "a")]
    [InlineData("a", "a")]
    [InlineData("b.txt", "Z")]
    public void Entries_must_be_strictly_increasing(string first, string second)
    {
        var e = Rejects(Nar(["nix-archive-1", .. Dir(Entry(first, File), Entry(second, File))]));
        Assert.Contains("out of order", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Order_is_checked_per_directory_level()
    {
        // "z" in the subdirectory does not constrain "b" after it at the top.
        NarReader.Read(Nar(["nix-archive-1", .. Dir(Entry("a", Dir(Entry("z", File))), Entry("b", File))]), new NarModel.NullVisitor());
        Rejects(Nar(["nix-archive-1", .. Dir(Entry("b", Dir(Entry("a", File))), Entry("a", File))]));
    }

    [Fact]
    public void Magic_is_required()
    {
        Assert.Contains("not a NAR", Rejects(Nar(["nix-archive-2", .. File])).Reason, StringComparison.Ordinal);
        Assert.Contains("not a NAR", Rejects(Nar("(", "type")).Reason, StringComparison.Ordinal);
        Assert.Contains("unexpected end", Rejects([]).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Executable_marker_must_be_empty()
    {
        var e = Rejects(Nar("nix-archive-1", "(", "type", "regular", "executable", "x", "contents", "", ")"));
        Assert.Contains("executable marker", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Padding_must_be_zero()
    {
        var nar = Convert.FromHexString(NarVectors.HelloTxt.NarHex!);
        nar[nar.Length - 17] = 1; // the padding after "hello"
        var e = Rejects(nar);
        Assert.Contains("padding", e.Reason, StringComparison.Ordinal);
        Assert.Equal(nar.Length - 17, e.Position);
    }

    [Theory]
    [InlineData("socket")]
    [InlineData("Regular")]
    public void Unknown_types_are_rejected(string type)
    {
        Assert.Contains("unknown file type", Rejects(Nar("nix-archive-1", "(", "type", type, ")")).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_or_misplaced_fields_are_rejected()
    {
        Rejects(Nar("nix-archive-1", "(", "type", "regular", "mtime", "0", "contents", "", ")"));
        Rejects(Nar("nix-archive-1", "(", "type", "regular", "contents", "", "executable", "", ")"));
        Rejects(Nar("nix-archive-1", "(", "type", "symlink", "contents", "x", ")"));
        Rejects(Nar("nix-archive-1", "(", "type", "directory", "target", "x", ")"));
        Rejects(Nar("nix-archive-1", "(", "type", "regular", "contents", "", "contents", "", ")"));
        Rejects(Nar("nix-archive-1", "(", "regular", ")"));
    }

    [Fact]
    public void Data_after_the_root_is_rejected()
    {
        var nar = Nar(["nix-archive-1", .. File, ")"]);
        Assert.Contains("after the end", Rejects(nar).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_truncation_is_a_format_error_at_the_end()
    {
        var nar = NarVectors.TreeFromTokens();
        for (var cut = 0; cut < nar.Length; cut++)
        {
            var e = Rejects(nar[..cut]);
            Assert.Equal(cut, e.Position);
        }
    }

    [Fact]
    public void Limits_are_enforced()
    {
        Assert.Contains("file name of 5 bytes", Rejects(Nar(["nix-archive-1", .. Dir(Entry("abcde", File))]), new NarReaderLimits { MaxNameLength = 4 }).Reason, StringComparison.Ordinal);
        Assert.Contains("symlink target", Rejects(Nar("nix-archive-1", "(", "type", "symlink", "target", "abcde", ")"), new NarReaderLimits { MaxTargetLength = 4 }).Reason, StringComparison.Ordinal);
        Assert.Contains("nested deeper than 2", Rejects(Nar(["nix-archive-1", .. Dir(Entry("a", Dir(Entry("b", Dir()))))]), new NarReaderLimits { MaxDepth = 2 }).Reason, StringComparison.Ordinal);
        Assert.Contains("more than 2 entries", Rejects(Nar(["nix-archive-1", .. Dir(Entry("a", File), Entry("b", File))]), new NarReaderLimits { MaxEntries = 2 }).Reason, StringComparison.Ordinal);
        Assert.Contains("file of 1 bytes", Rejects(Nar(["nix-archive-1", .. File]), new NarReaderLimits { MaxFileSize = 0 }).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Huge_lengths_are_rejected_before_anything_is_allocated()
    {
        Rejects(Nar("nix-archive-1", "(", "type", "symlink", "target", ulong.MaxValue));
        Rejects(Nar(["nix-archive-1", "(", "type", "directory", "entry", "(", "name", 1UL << 40]));
        Rejects(Nar("nix-archive-1", "(", "type", "regular", "contents", ulong.MaxValue));
        Rejects(Nar("nix-archive-1", "(", "type", "regular", "contents", 1UL << 40));
        Assert.Contains("keyword", Rejects(Nar("nix-archive-1", 1UL << 62)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_within_the_limit_uses_no_recursion()
    {
        const int depth = 2000;
        var tokens = new List<object> { "nix-archive-1" };
        for (var i = 0; i < depth; i++)
        {
            tokens.AddRange(["(", "type", "directory", "entry", "(", "name", "d", "node"]);
        }
        tokens.AddRange(File);
        for (var i = 0; i < depth; i++)
        {
            tokens.AddRange([")", ")"]);
        }
        var nar = Nar([.. tokens]);
        Assert.Equal(nar, RoundTrip(nar));
        Assert.Contains("nested deeper", Rejects(nar, new NarReaderLimits { MaxDepth = depth - 1 }).Reason, StringComparison.Ordinal);
    }
}
