using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Vigil.Nix.Nar;

namespace Vigil.Builder.Tests.Support;

/// <summary>A throw-away chroot Nix store (<c>local?root=DIR</c>) and the nix commands the tests run against it.</summary>
internal sealed class NixTestStore : IDisposable
{
    public NixTestStore(string label)
    {
        Root = Path.Combine(Path.GetTempPath(), $"vigil-builder-{label}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string Uri => "local?root=" + Root;

    public static bool NixAvailable { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Any(d => File.Exists(Path.Combine(d, "nix-store")));

    public string RealPath(string storePath) => Root + storePath;

    /// <summary>Runs a nix tool against this store; throws with its stderr on failure.</summary>
    public async Task<string> RunAsync(string tool, params string[] args)
    {
        var (exit, stdout, stderr) = await TryRunAsync(tool, args);
        if (exit != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed ({exit}): {stderr}");
        }
        return stdout;
    }

    public async Task<(int Exit, string Stdout, string Stderr)> TryRunAsync(string tool, params string[] args)
    {
        var (exit, stdout, stderr) = await RunRawAsync(tool, null, args);
        return (exit, Encoding.UTF8.GetString(stdout), stderr);
    }

    public async Task<(int Exit, byte[] Stdout, string Stderr)> RunRawAsync(string tool, byte[]? stdin, params string[] args)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--store");
        start.ArgumentList.Add(Uri);
        foreach (var (name, value) in new[] { ("substituters", ""), ("sandbox-paths", "/bin /usr /lib /lib64") })
        {
            start.ArgumentList.Add("--option");
            start.ArgumentList.Add(name);
            start.ArgumentList.Add(value);
        }
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        using var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin);
        }
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        await copy;
        return (process.ExitCode, stdout.ToArray(), await stderr);
    }

    public async Task<string[]> LinesAsync(string tool, params string[] args) =>
        (await RunAsync(tool, args)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Writes <paramref name="expression"/> to a file and instantiates attribute <paramref name="attr"/>.</summary>
    public async Task<string> InstantiateAsync(string expression, string attr)
    {
        var file = Path.Combine(Root, "expr-" + Guid.NewGuid().ToString("N") + ".nix");
        await File.WriteAllTextAsync(file, expression);
        return (await LinesAsync("nix-instantiate", file, "-A", attr)).Single();
    }

    /// <summary>SHA-256 of <c>nix-store --dump</c> of a path of this store (Nix's own NAR, the oracle; --dump reads the file system, so it gets the real location).</summary>
    public async Task<byte[]> DumpSha256Async(string storePath)
    {
        var (exit, nar, stderr) = await RunRawAsync("nix-store", null, "--dump", RealPath(storePath));
        Assert.True(exit == 0, stderr);
        return SHA256.HashData(nar);
    }

    public void Dispose() => Vigil.Store.ScratchStore.Delete(Root);

    /// <summary>The NAR of a path of this store, written by our NarWriter.</summary>
    public byte[] Nar(string storePath) => NarWriter.ToArray(RealPath(storePath));
}
