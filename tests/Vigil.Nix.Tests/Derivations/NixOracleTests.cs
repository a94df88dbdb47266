using System.Text;
using Vigil.Nix.Derivations;
using Vigil.Nix.Tests.Support;

namespace Vigil.Nix.Tests.Derivations;

/// <summary>
/// Real Nix 2.8 re-creates the fixtures from their expressions (so they stay bytes Nix wrote), and
/// judges the same tuple spellings our parser judges.
/// </summary>
public sealed class NixOracleTests
{
    [Fact]
    public void Fixtures_are_the_bytes_nix_instantiate_writes()
    {
        Assert.SkipWhen(!NixChroot.Available, "nix is not installed");
        using var nix = new NixChroot();
        var dir = Fixtures.Directory;
        var drvs = new List<string>();
        drvs.AddRange(nix.Instantiate(Path.Combine(dir, "nix-formats.nix"), "-A", "fodFlat", "-A", "fodFlatSri", "-A", "helloRec", "-A", "helloRecSha1", "-A", "ia", "-A", "iaSri", "-A", "ia2", "-A", "usesBoth", "-A", "saFod"));
        foreach (var file in new[] { "tvix.nix", "ca.nix", "latin1.nix", "escapes.nix" })
        {
            drvs.AddRange(nix.Instantiate(Path.Combine(dir, file)));
        }
        foreach (var drv in drvs)
        {
            var baseName = Path.GetFileName(drv);
            Assert.Contains(baseName, Fixtures.DrvFiles);
            Assert.Equal(Fixtures.Read(baseName), nix.ReadStoreFile(drv));
        }
        // Every fixture was produced by one of the expressions, including the closure of inputs.
        var inStore = Directory.EnumerateFiles(nix.StoreRoot + "/nix/store", "*.drv").Select(f => Path.GetFileName(f)).ToHashSet();
        Assert.Subset(inStore, Fixtures.DrvFiles.ToHashSet());
    }

    [Fact]
    public void Uses_both_output_path_is_what_Nix_evaluates()
    {
        Assert.SkipWhen(!NixChroot.Available, "nix is not installed");
        using var nix = new NixChroot();
        var file = Path.Combine(Fixtures.Directory, "nix-formats.nix");
        var (code, stdout, stderr) = nix.Run("nix-instantiate", "--eval", "--strict", "--json", "-E", $"[ (import {file}).usesBoth.outPath (import {file}).usesBoth.drvPath ]");
        Assert.True(code == 0, stderr);
        Assert.Equal("""["/nix/store/z9j9bf1nz9lsqlq9afncxv76w5f5fnvg-uses-both","/nix/store/rgg6bwbv570i9bhp5xkp64ny5sl59dr2-uses-both.drv"]""", stdout.Trim());
    }

    /// <summary>Spellings of bar's output tuple (algorithm, hash); Nix reads them when a .drv is added to the store.</summary>
    public static TheoryData<string, string> TupleSpellings => new()
    {
        { "r:sha256", "08813cbee9903c62be4c5027726a418a300da4500b2d369d3af9286f4815ceba" },
        { "r:sha256", "08813CBEE9903C62BE4C5027726A418A300DA4500B2D369D3AF9286F4815CEBA" },
        { "r:sha256", "1fnf2m46ya7r7afkcb8ba2j0sc4a85m749sh9jz64g4hx6z3r088" },
        { "r:sha256", "CIE8vumQPGK+TFAncmpBijANpFALLTadOvkob0gVzro=" },
        { "r:sha256", "sha256:08813cbee9903c62be4c5027726a418a300da4500b2d369d3af9286f4815ceba" },
        { "r:sha256", "sha256-CIE8vumQPGK+TFAncmpBijANpFALLTadOvkob0gVzro=" },
        { "r:sha256", "08813cbee9903c62be4c5027726a418a300da4500b2d369d3af9286f4815cebg" },
        { "r:SHA256", "08813cbee9903c62be4c5027726a418a300da4500b2d369d3af9286f4815ceba" },
        { "R:sha256", "08813cbee9903c62be4c5027726a418a300da4500b2d369d3af9286f4815ceba" },
        { "r:sha1", "08813cbee9903c62be4c5027726a418a300da4500b2d369d3af9286f4815ceba" },
    };

    [Theory]
    [MemberData(nameof(TupleSpellings))]
    public void Tuple_hash_spellings_are_judged_as_Nix_judges_them(string algo, string hash)
    {
        Assert.SkipWhen(!NixChroot.Available, "nix is not installed");
        var original = Encoding.UTF8.GetString(Fixtures.Read("0hm2f1psjpcwg8fijsmr4wwxrx59s092-bar.drv"));
        var aterm = original.Replace(
            "\"r:sha256\",\"08813cbee9903c62be4c5027726a418a300da4500b2d369d3af9286f4815ceba\")",
            $"\"{algo}\",\"{hash}\")",
            StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(aterm);
        bool weAccept;
        try
        {
            ATermReader.Parse(bytes, "bar");
            weAccept = true;
        }
        catch (NixFormatException)
        {
            weAccept = false;
        }

        using var nix = new NixChroot();
        var input = Directory.CreateDirectory(Path.Combine(nix.StoreRoot, "..", "input")).FullName;
        File.WriteAllBytes(Path.Combine(input, "bar.drv"), bytes);
        var (code, _, stderr) = nix.Run("nix-store", "--add", Path.Combine(input, "bar.drv"));
        Assert.True(weAccept == (code == 0), $"we {(weAccept ? "accept" : "reject")}, Nix: {(code == 0 ? "accepts" : stderr.Trim())}");
    }
}
