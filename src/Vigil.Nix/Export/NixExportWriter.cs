using System.Buffers.Binary;
using System.Text;
using Vigil.Nix.Nar;

namespace Vigil.Nix.Export;

/// <summary>
/// Writes Nix's export format, what <c>nix-store --export</c> prints and <c>nix-store --import</c>
/// reads: per store object the number 1, its NAR, the magic <c>NIXE</c>, its path, its references
/// (count, then each path, sorted), its deriver (empty when unknown) and 0 (no signature follows);
/// after the last object the number 0. Numbers are 64-bit little-endian; strings are their length,
/// their bytes and zero padding to a multiple of 8 (Nix's wire strings, docs/nix-formats.md §5).
/// </summary>
/// <remarks>
/// The NAR is passed through as the caller streams it, so a path of any size is exported with
/// bounded memory; the trailer comes after the NAR, which is why the format suits streaming.
/// The order of objects is the caller's: <c>nix-store --import</c> registers them one by one, so
/// references must come before the paths that refer to them.
/// </remarks>
public sealed class NixExportWriter
{
    /// <summary><c>NIXE</c> read as a little-endian number: Nix's <c>exportMagic</c>.</summary>
    public const ulong ExportMagic = 0x4558494e;

    private readonly Stream destination;
    private bool inPath;
    private bool finished;

    public NixExportWriter(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        this.destination = destination;
    }

    /// <summary>Starts the next store object; its NAR follows through <see cref="WriteNarAsync"/>.</summary>
    public async ValueTask BeginPathAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(finished, this);
        if (inPath)
        {
            throw new InvalidOperationException("the previous store object was not ended");
        }
        inPath = true;
        await destination.WriteAsync(Number(1), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The next bytes of the current object's NAR.</summary>
    public ValueTask WriteNarAsync(ReadOnlyMemory<byte> nar, CancellationToken cancellationToken = default)
    {
        if (!inPath)
        {
            throw new InvalidOperationException("NAR bytes outside a store object");
        }
        return destination.WriteAsync(nar, cancellationToken);
    }

    /// <summary>Ends the current object with its metadata.</summary>
    public async ValueTask EndPathAsync(string path, IEnumerable<string> references, string? deriver, CancellationToken cancellationToken = default)
    {
        if (!inPath)
        {
            throw new InvalidOperationException("no store object was begun");
        }
        inPath = false;
        await destination.WriteAsync(Trailer(path, references, deriver), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the end marker; nothing may follow.</summary>
    public async ValueTask FinishAsync(CancellationToken cancellationToken = default)
    {
        if (inPath)
        {
            throw new InvalidOperationException("the last store object was not ended");
        }
        if (!finished)
        {
            finished = true;
            await destination.WriteAsync(Number(0), cancellationToken).ConfigureAwait(false);
            await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One whole object: the NAR of <paramref name="realPath"/> (where the file tree is on this
    /// machine, e.g. inside a chroot store) registered as <paramref name="storePath"/>.
    /// </summary>
    public async ValueTask WritePathAsync(string realPath, string storePath, IEnumerable<string> references, string? deriver, CancellationToken cancellationToken = default)
    {
        await BeginPathAsync(cancellationToken).ConfigureAwait(false);
        // NarWriter is synchronous and streams in large chunks; the destination is usually a pipe.
        NarWriter.Write(realPath, destination, cancellationToken);
        await EndPathAsync(storePath, references, deriver, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The bytes that follow an object's NAR: magic, path, sorted references, deriver, no signature.</summary>
    public static byte[] Trailer(string path, IEnumerable<string> references, string? deriver)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(references);
        // Nix keeps references in a set ordered by the path's base name; with one store directory
        // that is the ordinal order of the full paths. Duplicates would be one set entry.
        var sorted = references.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        using var buffer = new MemoryStream();
        buffer.Write(Number(ExportMagic));
        WriteString(buffer, path);
        buffer.Write(Number((ulong)sorted.Count));
        foreach (var reference in sorted)
        {
            WriteString(buffer, reference);
        }
        WriteString(buffer, deriver ?? "");
        buffer.Write(Number(0));
        return buffer.ToArray();
    }

    private static byte[] Number(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return bytes;
    }

    private static void WriteString(Stream buffer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        buffer.Write(Number((ulong)bytes.Length));
        buffer.Write(bytes);
        var padding = (8 - bytes.Length % 8) % 8;
        Span<byte> zeros = stackalloc byte[8];
        zeros.Clear();
        buffer.Write(zeros[..padding]);
    }
}
