using System.Text.Json;
using Vigil.Nix.Tests.Support;

namespace Vigil.Nix.Tests.Hashing;

/// <summary>Every row of <see cref="OutputHashTable"/> run through the real derivation primop.</summary>
public sealed class OutputHashOracleTests
{
    [Fact]
    public void Accepted_rows_give_the_same_paths_in_Nix()
    {
        Assert.SkipWhen(!NixChroot.Available, "nix is not installed");
        using var nix = new NixChroot();
        var accepted = OutputHashTable.Rows.Where(r => r.Path is not null).ToArray();
        var list = "[ " + string.Join(" ", accepted.Select(r => "(" + OutputHashTable.Expression(r.Algo, r.Hash) + ")")) + " ]";
        var (code, stdout, stderr) = nix.Run("nix-instantiate", "--eval", "--strict", "--json", "-E", list);
        Assert.True(code == 0, stderr);
        var paths = JsonSerializer.Deserialize<string[]>(stdout)!;
        Assert.Equal(accepted.Select(r => r.Path), paths);
        Assert.Equal(accepted.Select(r => OutputHashTable.OutPath(r.Algo, r.Hash)), paths);
    }

    [Fact]
    public void Rejected_rows_fail_in_Nix_with_the_same_complaint()
    {
        Assert.SkipWhen(!NixChroot.Available, "nix is not installed");
        using var nix = new NixChroot();
        foreach (var (algo, hash, _, error) in OutputHashTable.Rows.Where(r => r.Path is null))
        {
            var (code, _, stderr) = nix.Run("nix-instantiate", "--eval", "-E", OutputHashTable.Expression(algo, hash));
            Assert.True(code != 0, $"Nix accepted {algo}/{hash}");
            Assert.Contains(error!, stderr, StringComparison.Ordinal);
            Assert.Throws<NixFormatException>(() => OutputHashTable.OutPath(algo, hash));
        }
    }
}
