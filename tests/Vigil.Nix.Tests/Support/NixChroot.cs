using System.Diagnostics;

namespace Vigil.Nix.Tests.Support;

/// <summary>
/// The real Nix as test oracle, in a throw-away chroot store (<c>NIX_REMOTE=local?root=…</c>, logical
/// store dir still /nix/store), deleted on dispose. Tests that need it skip only when nix is absent.
/// </summary>
internal sealed class NixChroot : IDisposable
{
    private static readonly Lazy<bool> IsAvailable = new(() =>
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("nix-instantiate", "--version") { RedirectStandardOutput = true, RedirectStandardError = true });
            if (p is null)
            {
                return false;
            }
            p.WaitForExit(10_000);
            return p.HasExited && p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    private readonly DirectoryInfo _root = System.IO.Directory.CreateTempSubdirectory("vigil-nix-chroot-");

    public static bool Available => IsAvailable.Value;

    public string StoreRoot => Path.Combine(_root.FullName, "chroot");

    /// <summary>Runs a Nix command against the chroot store; experimental features for CA/impure derivations are on.</summary>
    public (int ExitCode, string Stdout, string Stderr) Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--extra-experimental-features");
        psi.ArgumentList.Add("nix-command ca-derivations impure-derivations");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["NIX_REMOTE"] = $"local?root={StoreRoot}";
        psi.Environment["HOME"] = _root.FullName;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {program}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish within 120 s");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs <c>nix-instantiate</c> and returns the printed store paths; fails the test on a non-zero exit.</summary>
    public IReadOnlyList<string> Instantiate(params string[] args)
    {
        var (code, stdout, stderr) = Run("nix-instantiate", args);
        Assert.True(code == 0, $"nix-instantiate {string.Join(' ', args)} failed: {stderr}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Bytes of a file the chroot store holds under its logical path (e.g. /nix/store/…drv).</summary>
    public byte[] ReadStoreFile(string storePath) => File.ReadAllBytes(StoreRoot + storePath);

    public void Dispose()
    {
        // Store objects are read-only; make everything writable so the tree can be removed.
        foreach (var entry in _root.EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            if (entry is DirectoryInfo && entry.LinkTarget is null && !OperatingSystem.IsWindows())
            {
                entry.UnixFileMode |= UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.UserRead;
            }
        }
        _root.Delete(recursive: true);
    }
}
