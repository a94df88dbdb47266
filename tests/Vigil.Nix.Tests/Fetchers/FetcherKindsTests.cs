using Vigil.Nix.Fetchers;

namespace Vigil.Nix.Tests.Fetchers;

public sealed class FetcherKindsTests
{
    [Fact]
    public void Names_are_the_published_ones()
    {
        Assert.Equal(
            [
                "builtin-fetchurl", "fetchurl", "fetchzip", "github", "gitlab", "git", "patch", "crate",
                "cargo-vendor", "go-modules", "npm-deps", "yarn-deps", "pnpm-deps", "other",
            ],
            FetcherKinds.All.Select(k => k.Name()));
    }

    [Fact]
    public void Every_kind_round_trips_through_its_name()
    {
        foreach (var kind in Enum.GetValues<FetcherKind>())
        {
            Assert.Equal(kind, FetcherKinds.Parse(FetcherKinds.Name(kind)));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("GitHub")]
    [InlineData("builtin_fetchurl")]
    [InlineData("other ")]
    public void Unknown_names_are_format_errors(string name)
    {
        Assert.False(FetcherKinds.TryParse(name, out _));
        var error = Assert.Throws<NixFormatException>(() => FetcherKinds.Parse(name));
        Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_outside_the_enum_has_no_name()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ((FetcherKind)99).Name());
    }
}
