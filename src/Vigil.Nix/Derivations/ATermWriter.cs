using System.Buffers;
using System.Text;
using System.Runtime.CompilerServices;

namespace Vigil.Nix.Derivations;

/// <summary>
/// Writes a derivation as Nix 2.8 does, byte for byte. Two printers, as in Nix: builder, args and
/// env keys/values escape <c>" \ LF CR TAB</c> (every other byte raw); names, paths, hashes and the
/// platform are written between quotes unescaped.
/// </summary>
public static class ATermWriter
{
    public static byte[] Write(Derivation drv)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        Write(drv, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(Derivation drv, IBufferWriter<byte> output) => Write(drv, output, null, mask: false);

    /// <summary>
    /// The general form used by <c>hashDerivationModulo</c>: <paramref name="inputReplacements"/>, when
    /// given, replaces the input derivation list (keys are hex modulo hashes, already sorted; each
    /// value the output names in byte order, written as given), and
    /// <paramref name="mask"/> blanks output paths and the env entries named after outputs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Write(Derivation drv, IBufferWriter<byte> output, IReadOnlyList<KeyValuePair<string, IReadOnlyCollection<string>>>? inputReplacements, bool mask)
    {
        ArgumentNullException.ThrowIfNull(drv);
        var w = new Sink(output);
        w.Ascii("Derive([");
        for (var i = 0; i < drv.Outputs.Count; i++)
        {
            var o = drv.Outputs[i];
            if (i > 0)
            {
                w.Byte((byte)',');
            }
            w.Byte((byte)'(');
            w.Raw(o.Name);
            w.Byte((byte)',');
            w.Raw(mask ? "" : o.Path);
            w.Byte((byte)',');
            w.Raw(o.HashAlgo);
            w.Byte((byte)',');
            w.Raw(o.Hash);
            w.Byte((byte)')');
        }
        w.Ascii("],[");
        if (inputReplacements is null)
        {
            for (var i = 0; i < drv.InputDerivations.Count; i++)
            {
                if (i > 0)
                {
                    w.Byte((byte)',');
                }
                WriteInput(ref w, drv.InputDerivations[i].Path, drv.InputDerivations[i].Outputs);
            }
        }
        else
        {
            for (var i = 0; i < inputReplacements.Count; i++)
            {
                if (i > 0)
                {
                    w.Byte((byte)',');
                }
                WriteInput(ref w, inputReplacements[i].Key, inputReplacements[i].Value);
            }
        }
        w.Ascii("],");
        WriteRawList(ref w, drv.InputSources);
        w.Byte((byte)',');
        w.Raw(drv.Platform);
        w.Byte((byte)',');
        w.Escaped(drv.Builder);
        w.Ascii(",[");
        for (var i = 0; i < drv.Args.Count; i++)
        {
            if (i > 0)
            {
                w.Byte((byte)',');
            }
            w.Escaped(drv.Args[i]);
        }
        w.Ascii("],[");
        for (var i = 0; i < drv.Env.Count; i++)
        {
            var e = drv.Env[i];
            if (i > 0)
            {
                w.Byte((byte)',');
            }
            w.Byte((byte)'(');
            w.Escaped(e.Key);
            w.Byte((byte)',');
            if (mask && IsOutputName(drv, e.Key))
            {
                w.Ascii("\"\"");
            }
            else
            {
                w.Escaped(e.Value);
            }
            w.Byte((byte)')');
        }
        w.Ascii("])");
        w.Flush();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsOutputName(Derivation drv, byte[] key)
    {
        foreach (var o in drv.Outputs)
        {
            if (key.Length == o.Name.Length && MatchesAscii(key, o.Name))
            {
                return true;
            }
        }
        return false;
    }

    private static bool MatchesAscii(byte[] bytes, string text)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != text[i])
            {
                return false;
            }
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteInput(ref Sink w, string path, IReadOnlyCollection<string> outputs)
    {
        w.Byte((byte)'(');
        w.Raw(path);
        w.Byte((byte)',');
        w.Byte((byte)'[');
        if (outputs is IReadOnlyList<string> list)
        {
            // Indexed: no enumerator allocated per input.
            for (var i = 0; i < list.Count; i++)
            {
                if (i > 0)
                {
                    w.Byte((byte)',');
                }
                w.Raw(list[i]);
            }
        }
        else
        {
            var first = true;
            foreach (var o in outputs)
            {
                if (!first)
                {
                    w.Byte((byte)',');
                }
                first = false;
                w.Raw(o);
            }
        }
        w.Ascii("])");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteRawList(ref Sink w, IReadOnlyList<string> items)
    {
        w.Byte((byte)'[');
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                w.Byte((byte)',');
            }
            w.Raw(items[i]);
        }
        w.Byte((byte)']');
    }

    /// <summary>
    /// Writes into a span taken from the output and advances the output only when that span is
    /// full or the derivation done: asking the <see cref="IBufferWriter{T}"/> (an interface call
    /// each) for every byte of punctuation was a tenth of <c>drv check -r</c>'s CPU.
    /// </summary>
    private ref struct Sink
    {
        private const int Chunk = 4096;

        private readonly IBufferWriter<byte> _output;
        private Span<byte> _span;
        private int _pos;

        public Sink(IBufferWriter<byte> output)
        {
            _output = output;
            _span = output.GetSpan(Chunk);
            _pos = 0;
        }

        /// <summary>Hands what was written to the output; the sink is not used after.</summary>
        public void Flush()
        {
            _output.Advance(_pos);
            _span = default;
            _pos = 0;
        }

        /// <summary>Room for <paramref name="count"/> more bytes at <c>_pos</c>.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Grow(int count)
        {
            _output.Advance(_pos);
            _pos = 0;
            _span = _output.GetSpan(Math.Max(count, Chunk));
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Byte(byte b)
        {
            if (_pos == _span.Length)
            {
                Grow(1);
            }
            _span[_pos++] = b;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Ascii(string text)
        {
            if (_span.Length - _pos < text.Length)
            {
                Grow(text.Length);
            }
            var span = _span[_pos..];
            for (var i = 0; i < text.Length; i++)
            {
                span[i] = (byte)text[i];
            }
            _pos += text.Length;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Bytes(ReadOnlySpan<byte> bytes)
        {
            if (_span.Length - _pos < bytes.Length)
            {
                Grow(bytes.Length);
            }
            bytes.CopyTo(_span[_pos..]);
            _pos += bytes.Length;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Raw(string text)
        {
            Byte((byte)'"');
            var most = Encoding.UTF8.GetMaxByteCount(text.Length);
            if (_span.Length - _pos < most)
            {
                Grow(most);
            }
            _pos += Encoding.UTF8.GetBytes(text, _span[_pos..]);
            Byte((byte)'"');
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Raw(ReadOnlySpan<byte> bytes)
        {
            Byte((byte)'"');
            Bytes(bytes);
            Byte((byte)'"');
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Escaped(ReadOnlySpan<byte> bytes)
        {
            Byte((byte)'"');
            while (true)
            {
                var next = bytes.IndexOfAny(EscapedBytes);
                if (next < 0)
                {
                    Bytes(bytes);
                    break;
                }
                Bytes(bytes[..next]);
                Byte((byte)'\\');
                Byte(bytes[next] switch
                {
                    (byte)'\n' => (byte)'n',
                    (byte)'\r' => (byte)'r',
                    (byte)'\t' => (byte)'t',
                    var c => c,
                });
                bytes = bytes[(next + 1)..];
            }
            Byte((byte)'"');
        }
    }

    private static readonly SearchValues<byte> EscapedBytes = SearchValues.Create("\"\\\n\r\t"u8);
}
