namespace Vigil.E2E.Tests.NarInfo;

/// <summary>
/// One chroot store with a handful of paths of every kind (added file, <c>builtins.toFile</c>
/// with a reference, built outputs with deriver and self-reference, flat sha1 fixed output), two
/// Nix signing keys, and two <c>file://</c> binary caches Nix wrote with <c>nix copy</c>:
/// <c>cache-xz</c> (default xz, signed with test-1 while copying) and <c>cache-plain</c>
/// (<c>compression=none</c>, signed with a-key while copying; built outputs also carry the
/// test-1 signature put on them in the store by <c>nix store sign</c>).
/// </summary>
public sealed class NixBinaryCacheFixture : IAsyncLifetime
{
    private const string Derivations = """
        let dep = builtins.toFile "dep" "dependency"; in
        {
          a = derivation { name = "built-a"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo ${dep} > $out" ]; };
          b = derivation {
            name = "built-b"; outputs = [ "out" "lib" ]; system = builtins.currentSystem; builder = "/bin/sh";
            args = [ "-c" "/bin/mkdir $out $lib; echo $lib > $out/x; echo $out > $out/self; echo ${dep} > $lib/d" ];
          };
        }
        """;

    public bool NixAvailable { get; private set; }

    internal NixCommand Nix { get; private set; } = null!;

    public string Root => Nix.Root;

    public string Test1SecretFile => Path.Combine(Root, "test-1.sec");

    public string AKeySecretFile => Path.Combine(Root, "a-key.sec");

    public string PublicKeys { get; private set; } = "";

    public IReadOnlyList<string> TopPaths { get; private set; } = [];

    public string XzCache => Path.Combine(Root, "cache-xz");

    public string PlainCache => Path.Combine(Root, "cache-plain");

    public string PathInfoJson { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        NixAvailable = NixCommand.IsInstalled();
        if (!NixAvailable)
        {
            return;
        }
        var root = Path.Combine(Path.GetTempPath(), "vigil-narinfo-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        Nix = new NixCommand(root);

        await Nix.RunAsync("nix-store", "--generate-binary-cache-key", "test-1", Test1SecretFile, Path.Combine(root, "test-1.pub"));
        await Nix.RunAsync("nix-store", "--generate-binary-cache-key", "a-key", AKeySecretFile, Path.Combine(root, "a-key.pub"));
        PublicKeys = await File.ReadAllTextAsync(Path.Combine(root, "test-1.pub")) + " " + await File.ReadAllTextAsync(Path.Combine(root, "a-key.pub"));

        await File.WriteAllTextAsync(Path.Combine(root, "hello.txt"), "hello\n");
        var hello = (await Nix.RunAsync("nix-store", "--add", Path.Combine(root, "hello.txt"))).Trim();
        var withRef = (await Nix.RunAsync("nix-instantiate", "--read-write-mode", "--eval", "-E",
            $"builtins.toFile \"withref\" \"refers to ${{builtins.storePath {hello}}}\"")).Trim().Trim('"');
        var fixedSha1 = (await Nix.RunAsync("nix-store", "--add-fixed", "sha1", Path.Combine(root, "hello.txt"))).Trim();
        await File.WriteAllTextAsync(Path.Combine(root, "drvs.nix"), Derivations);
        var built = (await Nix.RunAsync("nix-build", Path.Combine(root, "drvs.nix"), "--no-out-link",
            "--option", "substituters", "", "--option", "extra-sandbox-paths", "/bin /lib /lib64 /usr"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var lib = (await Nix.RunAsync("nix-store", "-q", "--outputs", (await Nix.RunAsync("nix-store", "-q", "--deriver", built[1])).Trim()))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Single(p => p.EndsWith("-lib", StringComparison.Ordinal));
        TopPaths = [withRef, fixedSha1, .. built, lib];

        await Nix.RunNixAsync(["store", "sign", "--key-file", Test1SecretFile, .. built]);
        await Nix.RunNixAsync(["copy", "--to", $"file://{XzCache}?secret-key={Test1SecretFile}", .. TopPaths]);
        await Nix.RunNixAsync(["copy", "--to", $"file://{PlainCache}?secret-key={AKeySecretFile}&compression=none", .. TopPaths]);
        PathInfoJson = await Nix.RunNixAsync(["path-info", "--json", "--sigs", "--recursive", .. TopPaths]);
    }

    public ValueTask DisposeAsync()
    {
        if (NixAvailable && !OperatingSystem.IsWindows())
        {
            // The chroot store has read-only directories, as every Nix store does.
            foreach (var dir in Directory.EnumerateDirectories(Root, "*", SearchOption.AllDirectories))
            {
                File.SetUnixFileMode(dir, File.GetUnixFileMode(dir) | UnixFileMode.UserWrite);
            }
            Directory.Delete(Root, recursive: true);
        }
        return ValueTask.CompletedTask;
    }
}
