using System.ComponentModel;
using System.Diagnostics;

namespace Vigil.Store.Evaluation;

/// <summary>
/// Runs a Nix program (<c>nix-instantiate</c>, <c>nix-store</c>…) with Vigil's fixed options,
/// hands its stdout to the caller as a stream while it runs, keeps the tail of stderr, kills the
/// whole process tree on cancellation, and turns a non-zero exit into a
/// <see cref="NixProcessException"/> carrying Nix's own message.
/// </summary>
public sealed class NixProcess
{
    private const int StderrTailLines = 200;
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(2);
    private int started;

    public NixProcess(NixProcessOptions? options = null) => Options = options ?? new NixProcessOptions();

    public NixProcessOptions Options { get; }

    /// <summary>How many processes this instance started (diagnostics and tests).</summary>
    public int ProcessesStarted => Volatile.Read(ref started);

    /// <summary>The arguments every call gets before its own: store and options.</summary>
    public IReadOnlyList<string> CommonArguments()
    {
        var args = new List<string>
        {
            "--option", "allow-import-from-derivation", Options.AllowImportFromDerivation ? "true" : "false",
        };
        if (Options.Store is not null)
        {
            args.Add("--store");
            args.Add(Options.Store);
        }
        foreach (var (name, value) in Options.ExtraOptions ?? new Dictionary<string, string>())
        {
            args.Add("--option");
            args.Add(name);
            args.Add(value);
        }
        return args;
    }

    /// <summary>
    /// Runs <paramref name="program"/> with the common arguments and <paramref name="arguments"/>.
    /// <paramref name="readStdout"/> gets the raw stdout stream (null: stdout is discarded). Returns
    /// the tail of stderr (warnings) on success.
    /// </summary>
    public async Task<string> RunAsync(
        string program,
        IReadOnlyList<string> arguments,
        Func<Stream, CancellationToken, Task>? readStdout,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        cancellationToken.ThrowIfCancellationRequested();
        var info = new ProcessStartInfo(Options.BinDirectory is null ? program : Path.Combine(Options.BinDirectory, program))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var arg in CommonArguments().Concat(arguments))
        {
            info.ArgumentList.Add(arg);
        }
        var command = Describe(program, arguments);
        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new NixProcessException(command, $"cannot start {program} ({e.Message}); is Nix installed and on PATH?", e);
        }
        Interlocked.Increment(ref started);
        using var kill = cancellationToken.Register(() => Kill(process));
        var stderr = ReadTailAsync(process.StandardError);
        Exception? readerFailure = null;
        try
        {
            var stdout = process.StandardOutput.BaseStream;
            if (readStdout is not null)
            {
                await readStdout(stdout, cancellationToken).ConfigureAwait(false);
            }
            await stdout.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // A reader that fails on truncated output is usually a symptom: Nix died mid-print. Give
            // it a moment to exit so its own error, not the parse error, is what gets reported.
            readerFailure = e;
            using var grace = new CancellationTokenSource(ExitGrace);
            try
            {
                await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Still running, so the output really was bad: that is the error to report.
                Kill(process);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                throw new NixProcessException(command, $"cannot read the output: {e.Message}", e);
            }
        }
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw;
        }
        var tail = await stderr.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (process.ExitCode != 0)
        {
            throw new NixProcessException(command, process.ExitCode, NixErrorText.Condense(tail), tail);
        }
        if (readerFailure is not null)
        {
            throw new NixProcessException(command, $"cannot read the output: {readerFailure.Message}", readerFailure);
        }
        return tail;
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
    }

    private static async Task<string> ReadTailAsync(StreamReader reader)
    {
        var lines = new Queue<string>();
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (lines.Count == StderrTailLines)
            {
                lines.Dequeue();
            }
            lines.Enqueue(line);
        }
        return string.Join('\n', lines);
    }

    private static string Describe(string program, IReadOnlyList<string> arguments)
    {
        var shown = string.Join(' ', arguments.Take(8).Select(a => a.Length > 80 ? a[..77] + "..." : a));
        return arguments.Count > 8 ? $"{program} {shown} …" : $"{program} {shown}";
    }
}
