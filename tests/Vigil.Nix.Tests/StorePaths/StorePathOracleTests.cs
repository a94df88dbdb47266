using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vigil.Nix.Hashing;
using Vigil.Nix.StorePaths;
using Vigil.Nix.Tests.Support;

namespace Vigil.Nix.Tests.StorePaths;

/// <summary>Text and fixed-output paths computed here against the paths real Nix gives.</summary>
public sealed class StorePathOracleTests
{
    [Fact]
    public void Text_paths_match_builtins_toFile()
    {
        Assert.SkipWhen(!NixChroot.Available, "nix is not installed");
        using var nix = new NixChroot();
        const string expr = """
            let foo = builtins.toFile "foo" "bar"; hello = builtins.toFile "hello.txt" "hello"; in
            [ foo (builtins.toFile "baz" "${foo}") hello (builtins.toFile "two-refs" "${foo} ${hello}") (builtins.toFile ".." "x") (builtins.toFile ".gitignore" "x") (builtins.toFile ".-a" "x") ]
            """;
        var (code, stdout, stderr) = nix.Run("nix-instantiate", "--read-write-mode", "--eval", "--strict", "--json", "-E", expr);
        Assert.True(code == 0, stderr);
        var paths = JsonSerializer.Deserialize<string[]>(stdout)!;

        var store = StoreDir.Default;
        string Text(string name, string contents, params string[] refs) =>
            store.Print(store.MakeTextPath(name, SHA256.HashData(Encoding.UTF8.GetBytes(contents)), refs));
        var foo = Text("foo", "bar");
        var hello = Text("hello.txt", "hello");
        Assert.Equal(
            [foo, Text("baz", foo, foo), hello, Text("two-refs", foo + " " + hello, foo, hello), Text("..", "x"), Text(".gitignore", "x"), Text(".-a", "x")],
            paths);
        Assert.Equal("/nix/store/8p5q4siyh2valy8q9cjm8k9ma0vf2sz1-two-refs", paths[3]);
    }

    [Fact]
    public void Fixed_paths_match_nix_store_add_fixed_for_every_algorithm_and_mode()
    {
        Assert.SkipWhen(!NixChroot.Available, "nix is not installed");
        using var nix = new NixChroot();
        var dir = Directory.CreateDirectory(Path.Combine(nix.StoreRoot, "..", "input")).FullName;
        var file = Path.Combine(dir, "hello.txt");
        File.WriteAllText(file, "hello");
        foreach (var algo in Enum.GetValues<HashAlgorithmKind>())
        {
            foreach (var method in Enum.GetValues<ContentAddressMethod>())
            {
                var args = method == ContentAddressMethod.Recursive
                    ? new[] { "--add-fixed", "--recursive", algo.Name(), file }
                    : ["--add-fixed", algo.Name(), file];
                var (code, stdout, stderr) = nix.Run("nix-store", args);
                Assert.True(code == 0, stderr);
                var hash = NixHash.Compute(algo, method == ContentAddressMethod.Flat ? "hello"u8 : StorePathVectorTests.HelloNar);
                Assert.Equal(stdout.Trim(), StoreDir.Default.Print(StoreDir.Default.MakeFixedOutputPath(method, hash, "hello.txt")));
            }
        }
    }

    [Fact]
    public void Name_length_limit_is_Nix_s()
    {
        Assert.SkipWhen(!NixChroot.Available, "nix is not installed");
        using var nix = new NixChroot();
        var ok = nix.Run("nix-instantiate", "--read-write-mode", "--eval", "-E", $"builtins.toFile \"{new string('a', 211)}\" \"x\"");
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        var tooLong = nix.Run("nix-instantiate", "--read-write-mode", "--eval", "-E", $"builtins.toFile \"{new string('a', 212)}\" \"x\"");
        Assert.NotEqual(0, tooLong.ExitCode);
        var space = nix.Run("nix-instantiate", "--read-write-mode", "--eval", "-E", "builtins.toFile \"a b\" \"x\"");
        Assert.Contains("illegal character ' '", space.Stderr, StringComparison.Ordinal);
    }
}
