namespace Vigil.Nix.Nar;

/// <summary>
/// The events of a NAR, in archive order. <see cref="NarReader"/> produces them from bytes (already
/// validated), <see cref="NarEncoder"/> turns them back into bytes, <see cref="NarRestorer"/> into
/// files. A file's contents arrive in chunks so that no file has to fit in memory.
/// </summary>
public interface INarVisitor
{
    /// <summary>A regular file of <paramref name="size"/> bytes; <see cref="RegularContents"/> follows until all are given.</summary>
    void BeginRegular(bool executable, long size);

    /// <summary>The next chunk of the current file; the span is only valid during the call.</summary>
    void RegularContents(ReadOnlySpan<byte> chunk);

    void EndRegular();

    /// <summary>A symlink with its target verbatim (never resolved).</summary>
    void Symlink(ReadOnlySpan<byte> target);

    /// <summary>A directory; its entries follow, each as BeginEntry, one node, EndEntry, in byte order of names.</summary>
    void BeginDirectory();

    void BeginEntry(ReadOnlySpan<byte> name);

    void EndEntry();

    void EndDirectory();
}
