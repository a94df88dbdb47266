using Vigil.Nix.Nar;

namespace Vigil.Nix.Tests.Nar;

public sealed class NarRestorerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [MemberData(nameof(NarVectors.Names), MemberType = typeof(NarVectors))]
    public void Restored_vectors_serialise_to_the_same_nar(string name)
    {
        var v = NarVectors.ByName(name);
        var nar = v.NarHex is null ? NarVectors.TreeFromTokens() : Convert.FromHexString(v.NarHex);
        var target = _dir.Combine(name);
        NarRestorer.Restore(new MemoryStream(nar), target);
        Assert.Equal(nar, NarWriter.ToArray(target));
    }

    [Fact]
    public void Names_that_are_not_utf8_survive_a_round_trip_through_the_file_system()
    {
        var model = new NarModel.Dir([
            ([0x41], new NarModel.File(false, [1])),
            ([0x66, 0x6f, 0xff], new NarModel.File(true, [2])),
            ([0xc3, 0x28], new NarModel.Link([0xfe, 0x2f, 0x80])),
            ([0xff, 0xfe], new NarModel.Dir([([0x80], new NarModel.File(false, []))])),
        ]);
        var nar = model.Encode();
        NarRestorer.Restore(new MemoryStream(nar), _dir.Combine("bytes"));
        Assert.Equal(nar, NarWriter.ToArray(_dir.Combine("bytes")));
    }

    [Fact]
    public void Random_trees_restore_and_serialise_back()
    {
        var i = 0;
        CsCheck.Check.Sample(NarModel.Generator(), model =>
        {
            var nar = model.Encode();
            var target = _dir.Combine($"r{Interlocked.Increment(ref i)}");
            NarRestorer.Restore(new MemoryStream(nar), target);
            Assert.Equal(nar, NarWriter.ToArray(target));
        }, iter: 200);
    }

    [Fact]
    public void The_destination_must_not_exist()
    {
        Directory.CreateDirectory(_dir.Combine("exists"));
        var nar = Convert.FromHexString(NarVectors.EmptyDir.NarHex!);
        Assert.Throws<IOException>(() => NarRestorer.Restore(new MemoryStream(nar), _dir.Combine("exists")));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("a/../../x")]
    [InlineData("/etc")]
    public void Escaping_names_are_refused_even_without_the_reader(string name)
    {
        using var restorer = new NarRestorer(_dir.Combine("escape"));
        restorer.BeginDirectory();
        Assert.Throws<IOException>(() => restorer.BeginEntry(System.Text.Encoding.UTF8.GetBytes(name)));
    }

    [Fact]
    public void A_symlink_in_the_archive_is_never_written_through()
    {
        // Not a canonical NAR (name repeated), so drive the restorer directly, as a buggy producer could.
        var outside = _dir.Combine("outside");
        Directory.CreateDirectory(outside);
        using var restorer = new NarRestorer(_dir.Combine("trap"));
        restorer.BeginDirectory();
        restorer.BeginEntry("l"u8);
        restorer.Symlink(System.Text.Encoding.UTF8.GetBytes(outside + "/victim"));
        restorer.EndEntry();
        restorer.BeginEntry("l"u8);
        Assert.Throws<IOException>(() => restorer.BeginRegular(false, 1));
        Assert.False(File.Exists(Path.Combine(outside, "victim")));
    }
}
