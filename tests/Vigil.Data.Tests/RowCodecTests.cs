using CsCheck;
using Vigil.Nix.Fetchers;

namespace Vigil.Data.Tests;

/// <summary>The column encodings: lists in one text column, fetcher names.</summary>
public sealed class RowCodecTests
{
    [Fact]
    public void Any_list_of_strings_round_trips_through_one_column()
    {
        // Heavy on the characters the encoding treats specially.
        var item = Gen.OneOf(Gen.String, Gen.Char["\\\nenxé"].Array[0, 6].Select(c => new string(c)));
        item.List[0, 8].Sample(items =>
        {
            var text = TextList.Join(items);
            Assert.Equal(items, TextList.Split(text));
        }, iter: 5_000);
    }

    [Fact]
    public void Lists_of_store_paths_are_stored_plainly()
    {
        Assert.Equal("", TextList.Join([]));
        Assert.Equal("/nix/store/a-x.drv\n/nix/store/b-y.drv", TextList.Join(["/nix/store/a-x.drv", "/nix/store/b-y.drv"]));
        Assert.Equal("\\e", TextList.Join([""]));
        Assert.Equal(["", ""], TextList.Split("\\e\n\\e"));
        Assert.Throws<InvalidDataException>(() => TextList.Split("a\\q"));
        Assert.Throws<InvalidDataException>(() => TextList.Split("a\\"));
    }

}
