using System.Runtime.InteropServices;
using System.Text;

namespace Vigil.Store;

/// <summary>
/// Reads many <c>.drv</c> files of one store directory through a directory descriptor:
/// <c>openat(dir, base name)</c> resolves one path component instead of every component of a
/// chroot store's real path, and reading to end of file needs no <c>fstat</c>s (.NET's
/// <c>File.OpenHandle</c> plus <c>RandomAccess.GetLength</c> make two). On a 41k-file closure
/// the kernel's path walks and status calls were a sixth of <c>drv show -r</c>'s CPU. Anything
/// unusual (not Linux, a name that is not plain ASCII, any failing call) goes through
/// <see cref="DerivationReader.ReadFile(string, ref byte[])"/>, which also words the errors.
/// </summary>
public sealed class StoreDirectoryReader : IDisposable
{
    private const int OpenReadOnly = 0;
    private const int OpenDirectory = 0x10000;
    private const int OpenCloseOnExec = 0x80000;
    private const int MaxName = 255;

    private readonly DerivationReader _reader;
    private readonly string _storePrefix;
    private int _dirFd;

    public StoreDirectoryReader(DerivationReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = reader;
        _storePrefix = reader.Location.StoreDir.Prefix;
        _dirFd = -1;
        if (OperatingSystem.IsLinux() && Environment.Is64BitProcess)
        {
            var pathZ = Encoding.UTF8.GetBytes(reader.Location.RealDirectory + "\0");
            _dirFd = Native.open(ref pathZ[0], OpenReadOnly | OpenDirectory | OpenCloseOnExec);
        }
    }

    /// <summary>The bytes of <paramref name="drvPath"/> in <paramref name="buffer"/> (grown when needed); valid until the next read into it.</summary>
    public ReadOnlySpan<byte> ReadFile(string drvPath, ref byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(drvPath);
        ArgumentNullException.ThrowIfNull(buffer);
        // Only valid .drv store paths of this store (as the reader checks them); the reader reports the rest.
        if (_dirFd < 0 || !drvPath.EndsWith(".drv", StringComparison.Ordinal) || !_reader.Location.StoreDir.TryParse(drvPath, out _))
        {
            return _reader.ReadFile(drvPath, ref buffer);
        }
        var baseName = drvPath.AsSpan(_storePrefix.Length);
        Span<byte> nameZ = stackalloc byte[MaxName + 1];
        if (baseName.Length > MaxName)
        {
            return _reader.ReadFile(drvPath, ref buffer);
        }
        var length = Encoding.ASCII.GetBytes(baseName, nameZ);
        nameZ[length] = 0;
        var fd = Native.openat(_dirFd, ref nameZ[0], OpenReadOnly | OpenCloseOnExec);
        if (fd < 0)
        {
            return _reader.ReadFile(drvPath, ref buffer);
        }
        try
        {
            var read = 0;
            while (true)
            {
                if (read == buffer.Length)
                {
                    if (buffer.Length >= Nix.Derivations.ATermReader.MaxSize)
                    {
                        // Too big to be a derivation: let the reader report it.
                        return _reader.ReadFile(drvPath, ref buffer);
                    }
                    Array.Resize(ref buffer, Math.Max(buffer.Length * 2, 1 << 16));
                }
                var n = Native.read(fd, ref buffer[read], (nuint)(buffer.Length - read));
                if (n < 0)
                {
                    return _reader.ReadFile(drvPath, ref buffer);
                }
                if (n == 0)
                {
                    return buffer.AsSpan(0, read);
                }
                read += (int)n;
            }
        }
        finally
        {
            _ = Native.close(fd);
        }
    }

    public void Dispose()
    {
        if (_dirFd >= 0)
        {
            _ = Native.close(_dirFd);
            _dirFd = -1;
        }
    }

    private static class Native
    {
        private const string Libc = "libc";

        // open(2) and openat(2) are variadic; without O_CREAT the mode is not read.
        [DllImport(Libc, SetLastError = true)]
        public static extern int open(ref byte path, int flags);

        [DllImport(Libc, SetLastError = true)]
        public static extern int openat(int dirfd, ref byte path, int flags);

        [DllImport(Libc, SetLastError = true)]
        public static extern nint read(int fd, ref byte buffer, nuint count);

        [DllImport(Libc, SetLastError = true)]
        public static extern int close(int fd);
    }
}
