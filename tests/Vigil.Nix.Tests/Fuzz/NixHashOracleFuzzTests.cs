using CsCheck;
using Vigil.Nix.Tests.Hashing;
using Vigil.Nix.Tests.Support;

namespace Vigil.Nix.Tests.Fuzz;

/// <summary>
/// Differential fuzzing against real Nix 2.8: mutated hash spellings given to the derivation primop
/// must be accepted (with the same output path) or rejected by both. One Nix process per case, so few cases.
/// </summary>
public sealed class NixHashOracleFuzzTests
{
    [Fact]
    public void Primop_and_parser_agree_on_mutated_hashes()
    {
        Assert.SkipWhen(!NixChroot.Available, "nix is not installed");
        using var nix = new NixChroot();
        var algo = Gen.OneOf<string?>(null, "", "sha256", "md5", "sha1", "sha512", "SHA256");
        var text = Gen.Select(NixHashFuzzTests.ValidSpelling, NixHashFuzzTests.MutationOver("0aZz9+/=:-e\n ").Array[0, 2])
            .Select((v, mutations) => NixHashFuzzTests.Mutate(v.Text, mutations));
        Gen.Select(algo, text).Sample((a, hash) =>
        {
            string? ours;
            try
            {
                ours = OutputHashTable.OutPath(a, hash);
            }
            catch (NixFormatException)
            {
                ours = null;
            }
            var (code, stdout, stderr) = nix.Run("nix-instantiate", "--eval", "--json", "-E", OutputHashTable.Expression(a, hash));
            var theirs = code == 0 ? System.Text.Json.JsonSerializer.Deserialize<string>(stdout) : null;
            Assert.True(ours == theirs, $"ours: {ours ?? "rejected"}, Nix: {theirs ?? stderr.Trim()}");
        }, iter: 40, threads: 1, print: t => $"algo {ParserGuard.Show(t.Item1 ?? "(absent)")} hash {ParserGuard.Show(t.Item2)}");
    }
}
