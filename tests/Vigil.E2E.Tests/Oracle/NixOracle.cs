using System.Diagnostics;
using System.Text;
using Vigil.Store;

namespace Vigil.E2E.Tests.Oracle;

/// <summary>
/// The real Nix 2.8 as oracle: a throw-away chroot store under a temp directory
/// (<c>NIX_REMOTE=local?root=DIR/chroot</c>, logical store dir still <c>/nix/store</c>) and the
/// <c>nix-instantiate</c> / <c>nix</c> commands run against it. Each instance owns its directory
/// and deletes it on dispose, so tests running in parallel never share a store.
/// </summary>
internal sealed class NixOracle : IDisposable
{
    /// <summary>Every experimental feature these tests may need; harmless for plain derivations.</summary>
    public const string AllFeatures = "nix-command ca-derivations impure-derivations";

    private static readonly Lazy<bool> Available = new(() =>
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("nix-instantiate", "--version")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (p is null)
            {
                return false;
            }
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    private bool _keep;

    public NixOracle(string label)
    {
        Root = Directory.CreateTempSubdirectory($"vigil-oracle-{label}-").FullName;
        StoreUri = $"local?root={Root}/chroot";
        Location = StoreLocation.Parse(StoreUri);
        WorkDir = Path.Combine(Root, "src");
        Directory.CreateDirectory(WorkDir);
        Directory.CreateDirectory(Path.Combine(Root, "home"));
    }

    public static bool IsAvailable => Available.Value;

    public string Root { get; }

    /// <summary>Where generated Nix files (and the files their path literals name) are written.</summary>
    public string WorkDir { get; }

    public string StoreUri { get; }

    public StoreLocation Location { get; }

    /// <summary>The real file of a store path inside the chroot.</summary>
    public string RealPath(string storePath) => Location.RealPath(storePath);

    /// <summary>
    /// <c>nix-instantiate --eval --read-write-mode --strict --json</c> of an expression: forcing
    /// <c>drvPath</c> inside it writes the <c>.drv</c> files to the store, so one process both
    /// instantiates a whole batch and reports which attribute became which path.
    /// </summary>
    public byte[] EvalJson(string expression, bool experimental)
    {
        var args = new List<string> { "--eval", "--read-write-mode", "--strict", "--json" };
        if (experimental)
        {
            args.AddRange(["--extra-experimental-features", "ca-derivations impure-derivations"]);
        }
        args.AddRange(["-E", expression]);
        return RunChecked("nix-instantiate", args);
    }

    /// <summary><c>nix show-derivation [-r] PATHS</c>, raw bytes; of another store when <paramref name="storeUri"/> is given.</summary>
    public byte[] ShowDerivation(IEnumerable<string> drvPaths, bool recursive, string? storeUri = null)
    {
        var args = new List<string> { "--extra-experimental-features", AllFeatures, "show-derivation" };
        if (recursive)
        {
            args.Add("-r");
        }
        args.AddRange(drvPaths);
        if (storeUri is not null)
        {
            args.InsertRange(0, ["--store", storeUri]);
        }
        return RunChecked("nix", args);
    }

    public NixRun Run(string command, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = WorkDir,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        info.Environment["NIX_REMOTE"] = StoreUri;
        info.Environment["HOME"] = Path.Combine(Root, "home");
        info.Environment["NIX_PATH"] = "";
        info.Environment.Remove("NIX_STORE_DIR");
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {command}");
        process.StandardInput.Close();
        using var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} did not finish within 5 minutes");
        }
        copy.GetAwaiter().GetResult();
        return new NixRun(process.ExitCode, stdout.ToArray(), stderr.GetAwaiter().GetResult());
    }

    private byte[] RunChecked(string command, IReadOnlyList<string> args)
    {
        var run = Run(command, args);
        if (run.ExitCode != 0)
        {
            var shown = string.Join(' ', args.Select(a => a.Length > 200 ? a[..200] + "…" : a));
            throw new InvalidOperationException($"{command} {shown} exited {run.ExitCode}:\n{run.Stderr}");
        }
        return run.Stdout;
    }

    /// <summary>Leaves the store and sources in place (after a failure) so the case can be inspected.</summary>
    public void Keep() => _keep = true;

    public void Dispose()
    {
        if (_keep)
        {
            return;
        }
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is not worth failing a test for.
        }
        catch (UnauthorizedAccessException)
        {
            // Nix makes store files read-only; the directory is under /tmp and harmless.
        }
    }
}

/// <summary>One finished Nix process.</summary>
internal sealed record NixRun(int ExitCode, byte[] Stdout, string Stderr)
{
    public string StdoutText => Encoding.UTF8.GetString(Stdout);
}
