using static Vigil.E2E.Tests.Attacks.AttackLab;

namespace Vigil.E2E.Tests.Attacks;

/// <summary>
/// Inputs <c>vigil check-pr</c> cannot check are input errors (exit 2, one line naming the input),
/// never a pass: a CI job must not go green because the head could not be read.
/// </summary>
public sealed class CheckPrInputTests
{
    [Fact]
    public async Task A_missing_head_is_an_input_error_naming_it()
    {
        Assert.SkipWhen(!NixAvailable, "nix is not installed");
        await using var lab = new AttackLab();
        var baseFile = lab.Write("base.nix", "{ }");
        var missing = Path.Combine(lab.Expressions, "no-such-head.nix");

        var check = await lab.CheckPrAsync(lab.NewStore("ci"), baseFile, missing);
        Assert.True(check.ExitCode == 2, check.Explain());
        Assert.Contains("no-such-head.nix", check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_head_that_does_not_parse_is_an_input_error()
    {
        Assert.SkipWhen(!NixAvailable, "nix is not installed");
        await using var lab = new AttackLab();
        var baseFile = lab.Write("base.nix", """
            let inherit (import ./lib.nix) fetchurl; in
            { hello = fetchurl { url = "@URL@/hello-1.0.tar.gz"; hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; }; }
            """);
        var headFile = lab.Write("head.nix", "{ hello = ");

        var check = await lab.CheckPrAsync(lab.NewStore("ci"), baseFile, headFile);
        Assert.True(check.ExitCode == 2, check.Explain());
    }
}
