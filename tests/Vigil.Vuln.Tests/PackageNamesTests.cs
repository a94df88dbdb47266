using System.Text;
using CsCheck;
using Vigil.Vuln.Inventory;

namespace Vigil.Vuln.Tests;

public sealed class PackageNamesTests
{
    private static readonly Gen<string> Names =
        Gen.OneOf(Gen.Char["-_. aZz9É\t"], Gen.Char['a', 'z'], Gen.Char['A', 'Z']).Array[0, 12].Select(cs => new string(cs));

    [Fact]
    public void Normalise_lowercases_and_makes_every_separator_run_one_dash()
    {
        Assert.Equal("foo-bar", PackageNames.Normalise("Foo_Bar"));
        Assert.Equal("foo-bar", PackageNames.Normalise(" foo..-bar_ "));
        Assert.Equal("a", PackageNames.Normalise("-a-"));
        Assert.Equal("", PackageNames.Normalise(" ._ "));
        var normal = "already-normal";
        Assert.Same(normal, PackageNames.Normalise(normal));
    }

    [Fact]
    public void Normalise_agrees_with_the_plain_definition_on_any_text()
    {
        Gen.OneOf(Names, Gen.String).Sample(name => Assert.Equal(Reference(name), PackageNames.Normalise(name)), iter: 20_000);
    }

    /// <summary>The definition, written the obvious way: the fast path must give the same answer.</summary>
    private static string Reference(string name)
    {
        var sb = new StringBuilder();
        var pendingDash = false;
        foreach (var c in name.Trim())
        {
            if (c is '-' or '_' or '.')
            {
                pendingDash = sb.Length > 0;
                continue;
            }
            if (pendingDash)
            {
                sb.Append('-');
                pendingDash = false;
            }
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }
}
