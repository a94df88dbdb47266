using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Vigil.Nix.Nar;

/// <summary>
/// Reads a NAR from a stream and reports it to an <see cref="INarVisitor"/>. Only the canonical
/// form that <c>nix-store --dump</c> writes is accepted (one encoding per tree, so equal trees have
/// equal hashes): fields in their fixed order; names non-empty, not <c>.</c> or <c>..</c>, free of
/// <c>/</c> and NUL, in strictly increasing byte order; zero padding; an empty executable marker;
/// nothing after the root node. Every violation, truncation included, is a
/// <see cref="NixFormatException"/> with format "NAR" and the byte offset. Memory is bounded by
/// <see cref="NarReaderLimits"/>; file contents are passed on in chunks as they are read.
/// </summary>
public static class NarReader
{
    private const string Format = "NAR";
    private const int BufferSize = 128 * 1024;

    /// <summary>Reads the whole stream, which must hold exactly one NAR.</summary>
    public static void Read(Stream nar, INarVisitor visitor, NarReaderLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(nar);
        ArgumentNullException.ThrowIfNull(visitor);
        var parser = new Parser(nar, visitor, limits ?? NarReaderLimits.Default);
        try
        {
            parser.Run();
        }
        finally
        {
            parser.Dispose();
        }
    }

    /// <summary>Reads NAR bytes held in memory.</summary>
    public static void Read(ReadOnlyMemory<byte> nar, INarVisitor visitor, NarReaderLimits? limits = null)
    {
        using var stream = MemoryMarshal.TryGetArray(nar, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(nar.ToArray(), writable: false);
        Read(stream, visitor, limits);
    }

    private enum Tag
    {
        Unknown,
        Open,
        Close,
        Type,
        Regular,
        Executable,
        Contents,
        Symlink,
        Target,
        Directory,
        Entry,
        Name,
        Node,
    }

    private sealed class Parser(Stream stream, INarVisitor visitor, NarReaderLimits limits) : IDisposable
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        private int _pos;
        private int _end;
        private long _bufferOffset;
        private readonly byte[] _lastTag = new byte[NarTokens.MaxTagLength];
        private int _lastTagLength;
        private byte[] _target = [];
        // Previous entry name of every open directory, innermost last, packed in one arena.
        private byte[] _names = new byte[1024];
        private int[] _nameOffsets = new int[16];
        private int[] _nameLengths = new int[16];
        private int _depth;
        private long _entries;

        private long Offset => _bufferOffset + _pos;

        public void Run()
        {
            Ensure(NarTokens.EncodedMagic.Length);
            if (!_buffer.AsSpan(_pos, NarTokens.EncodedMagic.Length).SequenceEqual(NarTokens.EncodedMagic))
            {
                throw Error(0, "not a NAR: it does not start with 'nix-archive-1'");
            }
            _pos += NarTokens.EncodedMagic.Length;
            while (true)
            {
                var finished = ReadNode();
                while (true)
                {
                    if (finished)
                    {
                        if (_depth == 0)
                        {
                            ExpectEnd();
                            return;
                        }
                        Expect(Tag.Close, "')' closing the directory entry");
                        visitor.EndEntry();
                    }
                    var at = Offset;
                    var tag = ReadTag();
                    if (tag == Tag.Close)
                    {
                        visitor.EndDirectory();
                        _depth--;
                        finished = true;
                    }
                    else if (tag == Tag.Entry)
                    {
                        Expect(Tag.Open, "'(' opening the directory entry");
                        Expect(Tag.Name, "'name'");
                        var name = ReadName();
                        Expect(Tag.Node, "'node'");
                        visitor.BeginEntry(name);
                        break;
                    }
                    else
                    {
                        throw Error(at, $"expected 'entry' or ')' in a directory, found '{LastTag()}'");
                    }
                }
            }
        }

        /// <summary>Reads one node's header; files and symlinks completely (true), a directory only opened (false).</summary>
        private bool ReadNode()
        {
            if (++_entries > limits.MaxEntries)
            {
                throw Error(Offset, $"more than {limits.MaxEntries} entries");
            }
            Expect(Tag.Open, "'(' opening a node");
            Expect(Tag.Type, "'type'");
            var at = Offset;
            switch (ReadTag())
            {
                case Tag.Regular:
                    ReadRegular();
                    return true;
                case Tag.Symlink:
                    Expect(Tag.Target, "'target'");
                    var target = ReadBytes(ref _target, 0, limits.MaxTargetLength, "symlink target");
                    Expect(Tag.Close, "')' closing the symlink");
                    visitor.Symlink(target);
                    return true;
                case Tag.Directory:
                    if (_depth >= limits.MaxDepth)
                    {
                        throw Error(at, $"directories nested deeper than {limits.MaxDepth} levels");
                    }
                    PushDirectory();
                    visitor.BeginDirectory();
                    return false;
                default:
                    throw Error(at, $"unknown file type '{LastTag()}'");
            }
        }

        private void ReadRegular()
        {
            var at = Offset;
            var tag = ReadTag();
            var executable = false;
            if (tag == Tag.Executable)
            {
                var markerAt = Offset;
                if (ReadU64() != 0)
                {
                    throw Error(markerAt, "executable marker has a non-empty value");
                }
                executable = true;
                at = Offset;
                tag = ReadTag();
            }
            if (tag != Tag.Contents)
            {
                throw Error(at, $"expected 'contents' in a regular file, found '{LastTag()}'");
            }
            var sizeAt = Offset;
            var size = ReadU64();
            if (size > (ulong)limits.MaxFileSize)
            {
                throw Error(sizeAt, $"file of {size} bytes, more than the limit of {limits.MaxFileSize}");
            }
            visitor.BeginRegular(executable, (long)size);
            var remaining = (long)size;
            while (remaining > 0)
            {
                if (_pos == _end)
                {
                    Refill();
                }
                var n = (int)Math.Min(_end - _pos, remaining);
                visitor.RegularContents(_buffer.AsSpan(_pos, n));
                _pos += n;
                remaining -= n;
            }
            ReadPadding(size);
            visitor.EndRegular();
            Expect(Tag.Close, "')' closing the regular file");
        }

        private ReadOnlySpan<byte> ReadName()
        {
            var at = Offset;
            var frame = _depth - 1;
            var start = _nameOffsets[frame];
            var previous = _nameLengths[frame];
            // Read behind the previous name, compare, then move into its place.
            var scratch = start + Math.Max(previous, 0);
            var name = ReadBytes(ref _names, scratch, limits.MaxNameLength, "file name");
            if (name.IsEmpty || name.SequenceEqual("."u8) || name.SequenceEqual(".."u8) || name.IndexOfAny((byte)'/', (byte)0) >= 0)
            {
                throw Error(at, $"invalid file name '{Show(name)}'");
            }
            if (previous >= 0 && name.SequenceCompareTo(_names.AsSpan(start, previous)) <= 0)
            {
                throw Error(at, $"directory entries out of order: '{Show(name)}' after '{Show(_names.AsSpan(start, previous))}'");
            }
            name.CopyTo(_names.AsSpan(start));
            _nameLengths[frame] = name.Length;
            return _names.AsSpan(start, name.Length);
        }

        private void PushDirectory()
        {
            if (_depth == _nameOffsets.Length)
            {
                Array.Resize(ref _nameOffsets, _depth * 2);
                Array.Resize(ref _nameLengths, _depth * 2);
            }
            _nameOffsets[_depth] = _depth == 0 ? 0 : _nameOffsets[_depth - 1] + Math.Max(_nameLengths[_depth - 1], 0);
            _nameLengths[_depth] = -1;
            _depth++;
        }

        private void Expect(Tag expected, string what)
        {
            var at = Offset;
            if (ReadTag() != expected)
            {
                throw Error(at, $"expected {what}, found '{LastTag()}'");
            }
        }

        private Tag ReadTag()
        {
            var at = Offset;
            var length = ReadU64();
            if (length > NarTokens.MaxTagLength)
            {
                _lastTagLength = 0;
                throw Error(at, $"expected a NAR keyword, found a string of {length} bytes");
            }
            var n = (int)length;
            Ensure(n);
            // Copied out: reading the padding may move the buffer's contents.
            _buffer.AsSpan(_pos, n).CopyTo(_lastTag);
            _lastTagLength = n;
            _pos += n;
            ReadPadding(length);
            return Classify(_lastTag.AsSpan(0, n));
        }

        private static Tag Classify(ReadOnlySpan<byte> tag) =>
            tag.SequenceEqual(NarTokens.Open) ? Tag.Open
            : tag.SequenceEqual(NarTokens.Close) ? Tag.Close
            : tag.SequenceEqual(NarTokens.Type) ? Tag.Type
            : tag.SequenceEqual(NarTokens.Entry) ? Tag.Entry
            : tag.SequenceEqual(NarTokens.Name) ? Tag.Name
            : tag.SequenceEqual(NarTokens.Node) ? Tag.Node
            : tag.SequenceEqual(NarTokens.Regular) ? Tag.Regular
            : tag.SequenceEqual(NarTokens.Contents) ? Tag.Contents
            : tag.SequenceEqual(NarTokens.Executable) ? Tag.Executable
            : tag.SequenceEqual(NarTokens.Directory) ? Tag.Directory
            : tag.SequenceEqual(NarTokens.Symlink) ? Tag.Symlink
            : tag.SequenceEqual(NarTokens.Target) ? Tag.Target
            : Tag.Unknown;

        /// <summary>A length-prefixed string into <paramref name="arena"/> at <paramref name="offset"/> (grown as needed).</summary>
        private ReadOnlySpan<byte> ReadBytes(ref byte[] arena, int offset, int max, string what)
        {
            var at = Offset;
            var length = ReadU64();
            if (length > (ulong)max)
            {
                throw Error(at, $"{what} of {length} bytes, more than the limit of {max}");
            }
            var n = (int)length;
            if (arena.Length < offset + n)
            {
                Array.Resize(ref arena, Math.Max(offset + n, arena.Length * 2));
            }
            var copied = 0;
            while (copied < n)
            {
                if (_pos == _end)
                {
                    Refill();
                }
                var chunk = Math.Min(_end - _pos, n - copied);
                _buffer.AsSpan(_pos, chunk).CopyTo(arena.AsSpan(offset + copied));
                _pos += chunk;
                copied += chunk;
            }
            ReadPadding(length);
            return arena.AsSpan(offset, n);
        }

        private ulong ReadU64()
        {
            Ensure(8);
            var value = BinaryPrimitives.ReadUInt64LittleEndian(_buffer.AsSpan(_pos));
            _pos += 8;
            return value;
        }

        private void ReadPadding(ulong length)
        {
            var padding = NarTokens.Padding(length);
            Ensure(padding);
            var bad = _buffer.AsSpan(_pos, padding).IndexOfAnyExcept((byte)0);
            if (bad >= 0)
            {
                throw Error(Offset + bad, "non-zero padding");
            }
            _pos += padding;
        }

        /// <summary>Makes at least <paramref name="count"/> (≤ the buffer size) bytes available.</summary>
        private void Ensure(int count)
        {
            if (_end - _pos >= count)
            {
                return;
            }
            _buffer.AsSpan(_pos, _end - _pos).CopyTo(_buffer);
            _bufferOffset += _pos;
            _end -= _pos;
            _pos = 0;
            while (_end < count)
            {
                var n = stream.Read(_buffer, _end, _buffer.Length - _end);
                if (n == 0)
                {
                    throw Error(_bufferOffset + _end, "unexpected end of NAR");
                }
                _end += n;
            }
        }

        /// <summary>Reads more into an empty buffer.</summary>
        private void Refill()
        {
            _bufferOffset += _end;
            _pos = 0;
            _end = 0;
            var n = stream.Read(_buffer, 0, _buffer.Length);
            if (n == 0)
            {
                throw Error(_bufferOffset, "unexpected end of NAR");
            }
            _end = n;
        }

        private void ExpectEnd()
        {
            if (_pos < _end || stream.Read(_buffer, 0, 1) > 0)
            {
                throw Error(Offset, "data after the end of the NAR");
            }
        }

        private string LastTag() => Show(_lastTag.AsSpan(0, _lastTagLength));

        private static NixFormatException Error(long offset, string reason) => new(Format, offset, reason);

        public void Dispose()
        {
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = [];
            }
        }
    }

    /// <summary>Bytes for a message: printable ASCII as is, anything else as \xNN, cut at 100 bytes.</summary>
    internal static string Show(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder();
        foreach (var b in bytes[..Math.Min(bytes.Length, 100)])
        {
            if (b is >= 0x20 and < 0x7f and not (byte)'\\')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{b:x2}");
            }
        }
        if (bytes.Length > 100)
        {
            text.Append('…');
        }
        return text.ToString();
    }
}
