using System.Text;

namespace Vigil.Nix.Nar;

/// <summary>
/// Recreates the tree of a NAR on disk, as <c>nix-store --restore</c> does: directories, files
/// (executable ones with mode 0777, others 0666, both less the umask) and symlinks. The destination
/// must not exist. Nothing can be written outside it: every name is checked again here (non-empty,
/// not <c>.</c> or <c>..</c>, no <c>/</c> or NUL), and every file, directory and link is created
/// exclusively, so an earlier symlink in the archive is never followed.
/// </summary>
public sealed class NarRestorer : INarVisitor, IDisposable
{
    private byte[] _path;
    private int _length;
    private int[] _parents = new int[16];
    private int _depth;
    private int _fd = -1;

    public NarRestorer(string destination)
    {
        ArgumentException.ThrowIfNullOrEmpty(destination);
        _length = Encoding.UTF8.GetByteCount(destination);
        _path = new byte[Math.Max(256, _length * 2)];
        Encoding.UTF8.GetBytes(destination, _path);
        _path[_length] = 0;
    }

    /// <summary>Reads <paramref name="nar"/> and restores it at <paramref name="destination"/>.</summary>
    public static void Restore(Stream nar, string destination, NarReaderLimits? limits = null)
    {
        using var restorer = new NarRestorer(destination);
        NarReader.Read(nar, restorer, limits);
    }

    private ReadOnlySpan<byte> PathZ => _path.AsSpan(0, _length + 1);

    public void BeginRegular(bool executable, long size) => _fd = NarFileSystem.CreateFile(PathZ, executable);

    public void RegularContents(ReadOnlySpan<byte> chunk) => NarFileSystem.Write(_fd, chunk, PathZ);

    public void EndRegular() => CloseFile();

    public void Symlink(ReadOnlySpan<byte> target)
    {
        if (target.IsEmpty || target.Contains((byte)0))
        {
            throw new IOException($"creating symlink '{NarFileSystem.Display(PathZ)}': target '{NarReader.Show(target)}' cannot be a symlink target");
        }
        var targetZ = new byte[target.Length + 1];
        target.CopyTo(targetZ);
        NarFileSystem.CreateSymlink(targetZ, PathZ);
    }

    public void BeginDirectory() => NarFileSystem.CreateDirectory(PathZ);

    public void BeginEntry(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name.SequenceEqual("."u8) || name.SequenceEqual(".."u8) || name.IndexOfAny((byte)'/', (byte)0) >= 0)
        {
            throw new IOException($"refusing to restore the file name '{NarReader.Show(name)}' in '{NarFileSystem.Display(PathZ)}'");
        }
        if (_depth == _parents.Length)
        {
            Array.Resize(ref _parents, _depth * 2);
        }
        _parents[_depth++] = _length;
        var length = _length + 1 + name.Length;
        if (length + 1 > _path.Length)
        {
            Array.Resize(ref _path, Math.Max(length + 1, _path.Length * 2));
        }
        _path[_length] = (byte)'/';
        name.CopyTo(_path.AsSpan(_length + 1));
        _length = length;
        _path[_length] = 0;
    }

    public void EndEntry()
    {
        _length = _parents[--_depth];
        _path[_length] = 0;
    }

    public void EndDirectory()
    {
    }

    private void CloseFile()
    {
        if (_fd >= 0)
        {
            NarFileSystem.Close(_fd);
            _fd = -1;
        }
    }

    public void Dispose() => CloseFile();
}
