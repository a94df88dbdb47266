using System.Text;

namespace Vigil.Cli;

/// <summary>
/// Where a command writes: the raw standard output (NAR and JSON bytes go there unchanged, since
/// Nix data need not be UTF-8), a text writer over the same stream, and standard error.
/// </summary>
public sealed class CliContext : IAsyncDisposable
{
    public CliContext(Stream stdout, TextWriter stderr, bool stderrIsTerminal = false)
    {
        Stdout = stdout;
        Out = new StreamWriter(stdout, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        Error = stderr;
        ErrorIsTerminal = stderrIsTerminal;
    }

    public Stream Stdout { get; }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    /// <summary>Progress is drawn only on a terminal; redirected runs stay quiet.</summary>
    public bool ErrorIsTerminal { get; }

    /// <summary>Flushes pending text before raw bytes are written to <see cref="Stdout"/>.</summary>
    public async Task<Stream> RawStdoutAsync()
    {
        await Out.FlushAsync().ConfigureAwait(false);
        return Stdout;
    }

    public async ValueTask DisposeAsync()
    {
        await Out.FlushAsync().ConfigureAwait(false);
        await Out.DisposeAsync().ConfigureAwait(false);
        await Stdout.FlushAsync().ConfigureAwait(false);
    }
}
