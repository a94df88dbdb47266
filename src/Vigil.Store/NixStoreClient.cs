using System.ComponentModel;
using System.Diagnostics;
using Vigil.Store.Evaluation;

namespace Vigil.Store;

/// <summary>
/// A farm machine's Nix store (a builder's, or the server's), through the Nix programs: which paths
/// it lacks, importing paths (Nix's export format into <c>nix-store --import</c>), references of
/// outputs, and the arguments of a build. Every call names the store explicitly and disables
/// substituters: a builder's inputs come from the server, so a cache could only hide a missing input.
/// </summary>
public sealed class NixStoreClient
{
    private readonly NixProcess nix;

    public NixStoreClient(string? store, IReadOnlyDictionary<string, string> nixOptions, string? binDirectory = null)
    {
        var options = new Dictionary<string, string>(nixOptions, StringComparer.Ordinal) { ["substituters"] = "" };
        nix = new NixProcess(new NixProcessOptions(store, ExtraOptions: options, BinDirectory: binDirectory));
        Location = nix.Options.StoreLocation;
    }

    public StoreLocation Location { get; }

    /// <summary>The store directory as Nix names paths (normally /nix/store).</summary>
    public string StoreDir => Location.StoreDir.Path;

    /// <summary>The program path of a Nix tool.</summary>
    public string Program(string tool) => nix.Options.BinDirectory is null ? tool : Path.Combine(nix.Options.BinDirectory, tool);

    /// <summary>Arguments of <c>nix-store --realise DRV</c> against this store.</summary>
    public IReadOnlyList<string> RealiseArguments(string drvPath) => [.. nix.CommonArguments(), "--realise", drvPath];

    /// <summary>
    /// Opens the store once, creating it when it is new. Nix (2.8) does not create a store safely
    /// from several processes at once: on a fresh chroot store, concurrent first uses fail with
    /// "SQLite database ... is busy" (while another sets the new database up) or "creating symlink
    /// ... gcroots/profiles: File exists" (measured: 3-4 nix-store processes on a fresh store fail
    /// in about 1 round in 25; none in 100 rounds once one process had opened it first). Once the
    /// store exists concurrent use is safe, so whoever runs several Nix processes on it opens it first.
    /// </summary>
    public async Task OpenAsync(CancellationToken cancellationToken) =>
        await QueryLinesAsync(["--check-validity", "--print-invalid"], cancellationToken).ConfigureAwait(false);

    /// <summary>The paths among <paramref name="paths"/> that are not valid in this store, in the order given.</summary>
    public async Task<IReadOnlyList<string>> QueryInvalidAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        if (paths.Count == 0)
        {
            return [];
        }
        var invalid = (await QueryLinesAsync(["--check-validity", "--print-invalid", .. paths], cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        return [.. paths.Where(invalid.Contains)];
    }

    /// <summary>References of a valid path, full paths, sorted.</summary>
    public async Task<IReadOnlyList<string>> QueryReferencesAsync(string path, CancellationToken cancellationToken)
    {
        var references = await QueryLinesAsync(["--query", "--references", path], cancellationToken).ConfigureAwait(false);
        references.Sort(StringComparer.Ordinal);
        return references;
    }

    /// <summary>
    /// What a build of <paramref name="drvPath"/> needs in a store: the drv's closure and the
    /// closure of its input derivations' outputs, references first (<c>nix-store -qR --include-outputs</c>).
    /// </summary>
    public async Task<IReadOnlyList<string>> QueryBuildInputsAsync(string drvPath, CancellationToken cancellationToken) =>
        await QueryLinesAsync(["--query", "--requisites", "--include-outputs", drvPath], cancellationToken).ConfigureAwait(false);

    /// <summary>The deriver of a valid path, or null when Nix does not know it.</summary>
    public async Task<string?> QueryDeriverAsync(string path, CancellationToken cancellationToken)
    {
        var lines = await QueryLinesAsync(["--query", "--deriver", path], cancellationToken).ConfigureAwait(false);
        return lines is [var deriver] && deriver != "unknown-deriver" ? deriver : null;
    }

    private async Task<List<string>> QueryLinesAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        await nix.RunAsync("nix-store", arguments, async (stdout, ct) =>
        {
            using var reader = new StreamReader(stdout, leaveOpen: true);
            while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
            {
                if (line.Length > 0)
                {
                    lines.Add(line);
                }
            }
        }, cancellationToken).ConfigureAwait(false);
        return lines;
    }

    /// <summary>
    /// Runs <c>nix-store --import</c> with what <paramref name="writeExport"/> writes to its stdin (Nix's
    /// export format). If the writer throws, stdin is closed without the end marker, so Nix fails
    /// and registers nothing past the last whole object; the writer's exception is what surfaces
    /// (an I/O error together with Nix's own error when Nix failed too).
    /// </summary>
    public async Task ImportAsync(Func<Stream, CancellationToken, Task> writeExport, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writeExport);
        var info = new ProcessStartInfo(Program("nix-store"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in nix.CommonArguments())
        {
            info.ArgumentList.Add(argument);
        }
        info.ArgumentList.Add("--import");
        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new NixProcessException("nix-store --import", $"cannot start nix-store ({e.Message}); is Nix installed and on PATH?", e);
        }
        using var kill = cancellationToken.Register(() => ProcessTree.Kill(process));
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        Exception? writerFailure = null;
        var stdin = process.StandardInput.BaseStream;
        try
        {
            await writeExport(stdin, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            writerFailure = e;
        }
        finally
        {
            try
            {
                stdin.Close();
            }
            catch (IOException)
            {
                // Nix exited already; its stderr says why.
            }
        }
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        var error = await stderr.ConfigureAwait(false);
        await stdout.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (writerFailure is IOException && process.ExitCode != 0)
        {
            // Most likely a broken pipe because Nix gave up first: its error is the reason.
            throw new NixProcessException("nix-store --import", $"exit code {process.ExitCode}: {NixErrorText.Condense(error)} (writing its input: {writerFailure.Message})", writerFailure);
        }
        if (writerFailure is not null)
        {
            throw writerFailure;
        }
        if (process.ExitCode != 0)
        {
            throw new NixProcessException("nix-store --import", process.ExitCode, NixErrorText.Condense(error), error);
        }
    }
}
