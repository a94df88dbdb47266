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
    /// given, replaces the input derivation list (keys are hex modulo hashes, already sorted), and
    /// <paramref name="mask"/> blanks output paths and the env entries named after outputs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Write(Derivation drv, IBufferWriter<byte> output, IReadOnlyList<KeyValuePair<string, SortedSet<string>>>? inputReplacements, bool mask)
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
    private static void WriteInput(ref Sink w, string path, IEnumerable<string> outputs)
    {
        w.Byte((byte)'(');
        w.Raw(path);
        w.Byte((byte)',');
        w.Byte((byte)'[');
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

    private readonly ref struct Sink
    {
        private readonly IBufferWriter<byte> _output;

        public Sink(IBufferWriter<byte> output) => _output = output;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Byte(byte b)
        {
            _output.GetSpan(1)[0] = b;
            _output.Advance(1);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Ascii(string text)
        {
            var span = _output.GetSpan(text.Length);
            for (var i = 0; i < text.Length; i++)
            {
                span[i] = (byte)text[i];
            }
            _output.Advance(text.Length);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Bytes(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_output.GetSpan(bytes.Length));
            _output.Advance(bytes.Length);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Raw(string text)
        {
            Byte((byte)'"');
            var count = Encoding.UTF8.GetByteCount(text);
            Encoding.UTF8.GetBytes(text, _output.GetSpan(count));
            _output.Advance(count);
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
                var span = _output.GetSpan(2);
                span[0] = (byte)'\\';
                span[1] = bytes[next] switch
                {
                    (byte)'\n' => (byte)'n',
                    (byte)'\r' => (byte)'r',
                    (byte)'\t' => (byte)'t',
                    var c => c,
                };
                _output.Advance(2);
                bytes = bytes[(next + 1)..];
            }
            Byte((byte)'"');
        }
    }

    private static readonly SearchValues<byte> EscapedBytes = SearchValues.Create("\"\\\n\r\t"u8);
}
