using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Vigil.Nix.Nar;

/// <summary>
/// The only place the NAR code touches the file system. File names and symlink targets are byte
/// strings to Nix, but .NET's file APIs decode names as UTF-8 and silently replace invalid bytes,
/// so a tree holding such a name could not even be opened again. This class therefore calls libc
/// directly with NUL-terminated byte paths (Linux, glibc or musl, 64-bit). Errors become
/// <see cref="IOException"/>s worded like Nix's ("getting status of 'x': No such file or directory").
/// </summary>
/// <remarks>
/// Callers keep paths in byte buffers terminated by a NUL; <c>pathZ</c> parameters include it.
/// Only fixed-layout kernel structures are read: <c>struct statx</c> and the head of
/// <c>struct dirent</c>, which are the same on x86-64 and arm64. AggressiveOptimization on the
/// per-file methods: see <see cref="NarWriter"/>.
/// </remarks>
internal static class NarFileSystem
{
    public enum Kind : byte
    {
        Unknown,
        Regular,
        Directory,
        Symlink,
        Other,
    }

    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxTypeModeSize = 0x1 | 0x2 | 0x200;
    private const int StatxBufferSize = 256;
    private const int StatxModeOffset = 28;
    private const int StatxSizeOffset = 40;
    private const int ModeTypeMask = 0xF000;
    private const int ModeRegular = 0x8000;
    private const int ModeDirectory = 0x4000;
    private const int ModeSymlink = 0xA000;
    private const int ModeOwnerExecute = 0x40;
    private const int OpenReadOnly = 0;
    private const int OpenWriteOnly = 1;
    private const int OpenCreate = 0x40;
    private const int OpenExclusive = 0x80;
    private const int OpenCloseOnExec = 0x80000;
    private const int AdviseSequential = 2;
    private const int DirentReclenOffset = 16;
    private const int DirentTypeOffset = 18;
    private const int DirentNameOffset = 19;
    private const byte DirentTypeUnknown = 0;
    private const byte DirentTypeDirectory = 4;
    private const byte DirentTypeRegular = 8;
    private const byte DirentTypeSymlink = 10;
    private const int ErrorInterrupted = 4;
    private const int MaxSymlinkTarget = 1 << 16;

    private static void EnsureSupported()
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess)
        {
            throw new PlatformNotSupportedException("NAR serialisation reads the file system through 64-bit Linux libc calls");
        }
    }

    /// <summary>The type of the path itself (symlinks not followed), like Nix's <c>lstat</c>.</summary>
    public static Kind StatKind(ReadOnlySpan<byte> pathZ)
    {
        EnsureSupported();
        Span<byte> stat = stackalloc byte[StatxBufferSize];
        if (Native.statx(AtFdCwd, ref MemoryMarshal.GetReference(pathZ), AtSymlinkNoFollow, StatxTypeModeSize, ref MemoryMarshal.GetReference(stat)) != 0)
        {
            throw Failure("getting status of", pathZ);
        }
        return KindOf(Mode(stat));
    }

    /// <summary>Opens for reading, following symlinks (as <c>--flat</c> hashing does).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int OpenRead(ReadOnlySpan<byte> pathZ)
    {
        EnsureSupported();
        int fd;
        do
        {
            fd = Native.open(ref MemoryMarshal.GetReference(pathZ), OpenReadOnly | OpenCloseOnExec, 0);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == ErrorInterrupted);
        if (fd < 0)
        {
            throw Failure("opening file", pathZ);
        }
        return fd;
    }

    /// <summary>Type, size and the owner-execute bit of an open file.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (Kind Kind, long Size, bool Executable) StatOpen(int fd, ReadOnlySpan<byte> pathZ)
    {
        Span<byte> stat = stackalloc byte[StatxBufferSize];
        if (Native.statx(fd, ref MemoryMarshal.GetReference("\0"u8), AtEmptyPath, StatxTypeModeSize, ref MemoryMarshal.GetReference(stat)) != 0)
        {
            throw Failure("getting status of", pathZ);
        }
        var mode = Mode(stat);
        return (KindOf(mode), BitConverter.ToInt64(stat[StatxSizeOffset..]), (mode & ModeOwnerExecute) != 0);
    }

    /// <summary>Tells the kernel to read ahead aggressively; only a hint, so failures are ignored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AdviseSequentialRead(int fd) => _ = Native.posix_fadvise(fd, 0, 0, AdviseSequential);

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes; 0 means end of file.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Read(int fd, Span<byte> destination, ReadOnlySpan<byte> pathZ)
    {
        while (true)
        {
            var n = Native.read(fd, ref MemoryMarshal.GetReference(destination), (nuint)destination.Length);
            if (n >= 0)
            {
                return (int)n;
            }
            if (Marshal.GetLastPInvokeError() != ErrorInterrupted)
            {
                throw Failure("reading file", pathZ);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Close(int fd) => _ = Native.close(fd);

    /// <summary>The target of a symlink, verbatim, into <paramref name="scratch"/> (grown when needed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ReadOnlySpan<byte> ReadLink(ReadOnlySpan<byte> pathZ, ref byte[] scratch)
    {
        while (true)
        {
            var n = Native.readlink(ref MemoryMarshal.GetReference(pathZ), ref scratch[0], (nuint)scratch.Length);
            if (n < 0)
            {
                throw Failure("reading symbolic link", pathZ);
            }
            if (n < scratch.Length)
            {
                return scratch.AsSpan(0, (int)n);
            }
            if (scratch.Length >= MaxSymlinkTarget)
            {
                throw new IOException($"reading symbolic link '{Display(pathZ)}': target longer than {MaxSymlinkTarget} bytes");
            }
            scratch = new byte[scratch.Length * 2];
        }
    }

    /// <summary>
    /// Appends every entry of a directory except <c>.</c> and <c>..</c> to <paramref name="listing"/>,
    /// in the order the kernel returns them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ListDirectory(ReadOnlySpan<byte> pathZ, DirectoryListing listing)
    {
        EnsureSupported();
        var dir = Native.opendir(ref MemoryMarshal.GetReference(pathZ));
        if (dir == 0)
        {
            throw Failure("opening directory", pathZ);
        }
        try
        {
            while (true)
            {
                // readdir signals an error only through errno, so clear it first.
                Marshal.SetLastSystemError(0);
                var entry = Native.readdir(dir);
                if (entry == 0)
                {
                    if (Marshal.GetLastPInvokeError() != 0)
                    {
                        throw Failure("reading directory", pathZ);
                    }
                    return;
                }
                var capacity = Marshal.ReadInt16(entry, DirentReclenOffset) - DirentNameOffset;
                var type = Marshal.ReadByte(entry, DirentTypeOffset);
                var slot = listing.Reserve(capacity);
                Marshal.Copy(entry + DirentNameOffset, listing.Names, slot, capacity);
                var length = listing.Names.AsSpan(slot, capacity).IndexOf((byte)0);
                var name = listing.Names.AsSpan(slot, length < 0 ? capacity : length);
                if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))
                {
                    continue;
                }
                listing.Commit(slot, name.Length, type switch
                {
                    DirentTypeRegular => Kind.Regular,
                    DirentTypeDirectory => Kind.Directory,
                    DirentTypeSymlink => Kind.Symlink,
                    DirentTypeUnknown => Kind.Unknown,
                    _ => Kind.Other,
                });
            }
        }
        finally
        {
            _ = Native.closedir(dir);
        }
    }

    public static void CreateDirectory(ReadOnlySpan<byte> pathZ)
    {
        EnsureSupported();
        if (Native.mkdir(ref MemoryMarshal.GetReference(pathZ), 0x1FF) != 0)
        {
            throw Failure("creating directory", pathZ);
        }
    }

    /// <summary>
    /// Creates a new file; fails if anything (a symlink included) already has the name, so a
    /// restore can never write through a link.
    /// </summary>
    public static int CreateFile(ReadOnlySpan<byte> pathZ, bool executable)
    {
        EnsureSupported();
        int fd;
        do
        {
            fd = Native.open(ref MemoryMarshal.GetReference(pathZ), OpenWriteOnly | OpenCreate | OpenExclusive | OpenCloseOnExec, executable ? 0x1FF : 0x1B6);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == ErrorInterrupted);
        if (fd < 0)
        {
            throw Failure("creating file", pathZ);
        }
        return fd;
    }

    public static void Write(int fd, ReadOnlySpan<byte> data, ReadOnlySpan<byte> pathZ)
    {
        while (!data.IsEmpty)
        {
            var n = Native.write(fd, ref MemoryMarshal.GetReference(data), (nuint)data.Length);
            if (n < 0)
            {
                if (Marshal.GetLastPInvokeError() == ErrorInterrupted)
                {
                    continue;
                }
                throw Failure("writing file", pathZ);
            }
            data = data[(int)n..];
        }
    }

    public static void CreateSymlink(ReadOnlySpan<byte> targetZ, ReadOnlySpan<byte> pathZ)
    {
        EnsureSupported();
        if (Native.symlink(ref MemoryMarshal.GetReference(targetZ), ref MemoryMarshal.GetReference(pathZ)) != 0)
        {
            throw Failure("creating symlink", pathZ);
        }
    }

    /// <summary>A path for messages: the bytes before the NUL, invalid UTF-8 shown as U+FFFD.</summary>
    public static string Display(ReadOnlySpan<byte> pathZ)
    {
        var end = pathZ.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? pathZ : pathZ[..end]);
    }

    private static IOException Failure(string action, ReadOnlySpan<byte> pathZ)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{action} '{Display(pathZ)}': {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    private static int Mode(ReadOnlySpan<byte> stat) => BitConverter.ToUInt16(stat[StatxModeOffset..]);

    private static Kind KindOf(int mode) => (mode & ModeTypeMask) switch
    {
        ModeRegular => Kind.Regular,
        ModeDirectory => Kind.Directory,
        ModeSymlink => Kind.Symlink,
        _ => Kind.Other,
    };

    /// <summary>Names of one directory packed into a shared byte arena, with their kinds.</summary>
    internal sealed class DirectoryListing
    {
        public byte[] Names = new byte[4096];
        public int NamesLength;
        public (int Offset, int Length, Kind Kind)[] Entries = new (int, int, Kind)[64];
        public int Count;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Reserve(int capacity)
        {
            if (NamesLength + capacity > Names.Length)
            {
                Array.Resize(ref Names, Math.Max(Names.Length * 2, NamesLength + capacity));
            }
            return NamesLength;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Commit(int offset, int length, Kind kind)
        {
            if (Count == Entries.Length)
            {
                Array.Resize(ref Entries, Entries.Length * 2);
            }
            Entries[Count++] = (offset, length, kind);
            NamesLength = offset + length;
        }

        public ReadOnlySpan<byte> Name(int index) => Names.AsSpan(Entries[index].Offset, Entries[index].Length);

        /// <summary>Drops what was added after the given counts (a finished directory's entries).</summary>
        public void Truncate(int count, int namesLength)
        {
            Count = count;
            NamesLength = namesLength;
        }
    }

    private static class Native
    {
        private const string Libc = "libc";

        [DllImport(Libc, SetLastError = true)]
        public static extern int statx(int dirfd, ref byte path, int flags, uint mask, ref byte buffer);

        // open(2) is variadic; on the x86-64 and arm64 Linux ABIs the mode travels like a fixed argument.
        [DllImport(Libc, SetLastError = true)]
        public static extern int open(ref byte path, int flags, int mode);

        [DllImport(Libc, SetLastError = true)]
        public static extern nint read(int fd, ref byte buffer, nuint count);

        [DllImport(Libc, SetLastError = true)]
        public static extern nint write(int fd, ref byte buffer, nuint count);

        [DllImport(Libc, SetLastError = true)]
        public static extern int close(int fd);

        [DllImport(Libc)]
        public static extern int posix_fadvise(int fd, long offset, long length, int advice);

        [DllImport(Libc, SetLastError = true)]
        public static extern nint readlink(ref byte path, ref byte buffer, nuint size);

        [DllImport(Libc, SetLastError = true)]
        public static extern nint opendir(ref byte path);

        [DllImport(Libc, SetLastError = true)]
        public static extern nint readdir(nint dir);

        [DllImport(Libc, SetLastError = true)]
        public static extern int closedir(nint dir);

        [DllImport(Libc, SetLastError = true)]
        public static extern int mkdir(ref byte path, int mode);

        [DllImport(Libc, SetLastError = true)]
        public static extern int symlink(ref byte target, ref byte path);
    }
}
