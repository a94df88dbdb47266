using CsCheck;
using Vigil.Vuln.Versions;

namespace Vigil.Vuln.Tests;

public sealed class VersionComparerTests
{
    [Theory]
    [InlineData("1.0", "1.0.1")]
    [InlineData("1.2", "1.10")]
    [InlineData("1.0rc1", "1.0")]
    [InlineData("1.0-rc1", "1.0-rc2")]
    [InlineData("1.0alpha", "1.0beta")]
    [InlineData("1.0a1", "1.0b1")]
    [InlineData("1.0b2", "1.0rc1")]
    [InlineData("1.0.dev1", "1.0a1")]
    [InlineData("2.0.0-rc1", "2.0.0-rc2")]
    [InlineData("2.0.0-rc2", "2.0.0")]
    [InlineData("1.0.2", "1.0.2k")]
    [InlineData("1.0.2k", "1.0.2l")]
    [InlineData("1.0.2l", "1.0.3")]
    [InlineData("9", "10")]
    [InlineData("99999999999999999999999", "100000000000000000000000")]
    [InlineData("2023-01-01", "2023-12-31")]
    [InlineData("1.0-unstable-2023-01-01", "1.0-unstable-2023-02-01")]
    public void Older_sorts_before_newer(string older, string newer)
    {
        Assert.True(VersionComparer.Compare(older, newer) < 0, $"{older} < {newer}");
        Assert.True(VersionComparer.Compare(newer, older) > 0, $"{newer} > {older}");
    }

    [Theory]
    [InlineData("1.0", "1.0")]
    [InlineData("v1.2.3", "1.2.3")]
    [InlineData("1.02", "1.2")]
    [InlineData("1_0", "1.0")]
    [InlineData("1.0alpha1", "1.0a1")]
    [InlineData("1.0RC1", "1.0rc1")]
    public void Spellings_of_one_version_are_equal(string a, string b) => Assert.Equal(0, VersionComparer.Compare(a, b));

    private static readonly string[] Words = ["rc", "alpha", "a", "b", "beta", "dev", "pre", "k", "x", "unstable", "v", "post"];
    private static readonly string[] Separators = [".", "-", "_", "+", ""];

    private static readonly Gen<string> Versions =
        Gen.OneOf(
            Gen.Int[0, 30].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Gen.Int[0, 11].Select(i => Words[i]),
            Gen.Int[0, 4].Select(i => Separators[i]))
        .Array[0, 8].Select(parts => string.Concat(parts));

    [Fact]
    public void Compare_is_a_total_preorder_on_random_versions()
    {
        Gen.Select(Versions, Versions, Versions).Sample((a, b, c) =>
        {
            Assert.Equal(0, VersionComparer.Compare(a, a));
            Assert.Equal(Math.Sign(VersionComparer.Compare(a, b)), -Math.Sign(VersionComparer.Compare(b, a)));
            if (VersionComparer.Compare(a, b) <= 0 && VersionComparer.Compare(b, c) <= 0)
            {
                Assert.True(VersionComparer.Compare(a, c) <= 0, $"{a} <= {b} <= {c} but not {a} <= {c}");
            }
        }, iter: 20_000);
    }

    [Fact]
    public void Compare_never_throws_on_any_string()
    {
        Gen.Select(Gen.String, Gen.String).Sample((a, b) =>
        {
            var c = VersionComparer.Compare(a, b);
            Assert.Equal(Math.Sign(c), -Math.Sign(VersionComparer.Compare(b, a)));
        }, iter: 20_000);
    }

    [Fact]
    public void Sorting_agrees_with_pairwise_order()
    {
        Versions.Array[2, 30].Sample(list =>
        {
            var sorted = list.Order(VersionComparer.Instance).ToArray();
            for (var i = 1; i < sorted.Length; i++)
            {
                Assert.True(VersionComparer.Compare(sorted[i - 1], sorted[i]) <= 0);
            }
        });
    }

    [Theory]
    [InlineData("1.0", true, "2.0", false, "1.0", true)]
    [InlineData("1.0", false, "2.0", false, "1.0", false)]
    [InlineData("1.0", true, "2.0", false, "2.0", false)]
    [InlineData("1.0", true, "2.0", true, "2.0", true)]
    [InlineData(null, true, "2.0", false, "0.1", true)]
    [InlineData("1.0", true, null, true, "99", true)]
    [InlineData(null, true, "2.0.0-rc2", false, "2.0.0-rc1", true)]
    [InlineData(null, true, "2.0.0-rc2", false, "2.0.0", false)]
    public void Ranges_honour_inclusive_and_exclusive_bounds(string? start, bool startInclusive, string? end, bool endInclusive, string version, bool expected) =>
        Assert.Equal(expected, new VersionRange(start, startInclusive, end, endInclusive).Contains(version));
}
