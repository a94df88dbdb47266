using Vigil.Builder.Tests.Support;
using Vigil.Nix.Export;

namespace Vigil.Builder.Tests;

/// <summary>Our export format against <c>nix-store --export</c> of real paths (files, directories, symlinks, drvs with references, executables).</summary>
public sealed class NixExportWriterTests
{
    [Fact]
    public async Task Export_is_byte_identical_to_nix_store_export()
    {
        Assert.SkipUnless(NixTestStore.NixAvailable, "nix-store is not installed");
        using var store = new NixTestStore("export");
        var marker = Guid.NewGuid().ToString("N");
        var drv = await store.InstantiateAsync(Expressions.Farm(marker), "top");
        await store.RunAsync("nix-store", "--realise", drv);
        var exe = await store.InstantiateAsync("""
            derivation { name = "exe"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "/bin/mkdir -p $out/a/b; echo '#!/bin/sh' > $out/a/run; /bin/chmod +x $out/a/run; : > $out/empty; /bin/ln -s a/run $out/link" ]; }
            """, "");
        await store.RunAsync("nix-store", "--realise", exe);
        var paths = await store.LinesAsync("nix-store", "--query", "--requisites", "--include-outputs", drv, exe);
        Assert.True(paths.Length >= 6);

        // Every path alone, then all of them in one export (Nix orders them references first, as -qR does).
        foreach (var set in paths.Select(p => new[] { p }).Append(paths))
        {
            var (exit, expected, stderr) = await store.RunRawAsync("nix-store", null, ["--export", .. set]);
            Assert.True(exit == 0, stderr);
            using var ours = new MemoryStream();
            var writer = new NixExportWriter(ours);
            foreach (var path in set)
            {
                var references = await store.LinesAsync("nix-store", "--query", "--references", path);
                var deriver = (await store.LinesAsync("nix-store", "--query", "--deriver", path)).Single();
                await writer.WritePathAsync(store.RealPath(path), path, references.Reverse(), deriver == "unknown-deriver" ? null : deriver);
            }
            await writer.FinishAsync();
            Assert.Equal(expected, ours.ToArray());
        }
    }

    [Fact]
    public async Task Misuse_is_refused()
    {
        var writer = new NixExportWriter(new MemoryStream());
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.WriteNarAsync(new byte[1]));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.EndPathAsync("/nix/store/x", [], null));
        await writer.BeginPathAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.BeginPathAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.FinishAsync());
    }
}
