using System.Buffers;
using System.Text;
using System.Runtime.CompilerServices;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Derivations;

/// <summary>
/// The JSON of <c>nix show-derivation</c> in Nix 2.8, byte for byte: two-space indentation,
/// keys <c>outputs, inputSrcs, inputDrvs, system, builder, args, env</c>, strings escaped by
/// Nix's own printer (<c>" \ \n \r \t</c>, other bytes below 0x20 as <c>\u00xx</c>, every byte
/// from 0x7f up written raw, so non-UTF-8 env values pass through unchanged).
/// </summary>
public sealed partial class DerivationJson
{
    private readonly IBufferWriter<byte> _out;
    private readonly StoreDir _storeDir;
    private bool _any;

    public DerivationJson(IBufferWriter<byte> output, StoreDir storeDir)
    {
        _out = output;
        _storeDir = storeDir;
    }

    /// <summary>
    /// Whether members have been written before this writer's first: set it to write one object
    /// in pieces (a later piece starts with a comma; <see cref="End"/> closes a non-empty object),
    /// e.g. from several threads each writing a run of members into its own buffer.
    /// </summary>
    public bool HasMembers
    {
        get => _any;
        init => _any = value;
    }

    public void Begin() => Ascii("{"u8);

    /// <summary>Appends one <c>"drvPath": {…}</c> member.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(string drvPath, Derivation drv)
    {
        ArgumentNullException.ThrowIfNull(drv);
        Ascii(_any ? ",\n  "u8 : "\n  "u8);
        _any = true;
        String(drvPath);
        Ascii(": {\n    \"outputs\": "u8);
        if (drv.Outputs.Count == 0)
        {
            Ascii("{}"u8);
        }
        else
        {
            Ascii("{"u8);
            for (var i = 0; i < drv.Outputs.Count; i++)
            {
                var o = drv.Outputs[i];
                Ascii(i == 0 ? "\n      "u8 : ",\n      "u8);
                String(o.Name);
                Ascii(": "u8);
                WriteOutput(drv.Name, o);
            }
            Ascii("\n    }"u8);
        }
        Ascii(",\n    \"inputSrcs\": "u8);
        StringArray(drv.InputSources, "    "u8);
        Ascii(",\n    \"inputDrvs\": "u8);
        if (drv.InputDerivations.Count == 0)
        {
            Ascii("{}"u8);
        }
        else
        {
            Ascii("{"u8);
            for (var i = 0; i < drv.InputDerivations.Count; i++)
            {
                var input = drv.InputDerivations[i];
                Ascii(i == 0 ? "\n      "u8 : ",\n      "u8);
                String(input.Path);
                Ascii(": "u8);
                StringArray(input.Outputs, "      "u8);
            }
            Ascii("\n    }"u8);
        }
        Ascii(",\n    \"system\": "u8);
        String(drv.Platform);
        Ascii(",\n    \"builder\": "u8);
        String(drv.Builder);
        Ascii(",\n    \"args\": "u8);
        StringArray(drv.Args, "    "u8);
        Ascii(",\n    \"env\": "u8);
        if (drv.Env.Count == 0)
        {
            Ascii("{}"u8);
        }
        else
        {
            Ascii("{"u8);
            for (var i = 0; i < drv.Env.Count; i++)
            {
                Ascii(i == 0 ? "\n      "u8 : ",\n      "u8);
                String(drv.Env[i].Key);
                Ascii(": "u8);
                String(drv.Env[i].Value);
            }
            Ascii("\n    }"u8);
        }
        Ascii("\n  }"u8);
    }

    public void End() => Ascii(_any ? "\n}\n"u8 : "}\n"u8);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteOutput(string drvName, DerivationOutput o)
    {
        switch (o.Kind)
        {
            case OutputKind.InputAddressed:
                Ascii("{\n        \"path\": "u8);
                String(o.Path);
                Ascii("\n      }"u8);
                break;
            case OutputKind.Fixed:
                // Nix prints the path it computes from the hash, not the one stored in the tuple.
                Ascii("{\n        \"path\": "u8);
                String(_storeDir.Print(_storeDir.MakeFixedOutputPath(o.Method, o.FixedHash!, drvName)));
                Ascii(",\n        \"hashAlgo\": "u8);
                String(o.MethodAlgo);
                Ascii(",\n        \"hash\": "u8);
                String(o.FixedHash!.ToBase16());
                Ascii("\n      }"u8);
                break;
            case OutputKind.Floating:
                Ascii("{\n        \"hashAlgo\": "u8);
                String(o.MethodAlgo);
                Ascii("\n      }"u8);
                break;
            case OutputKind.Impure:
                Ascii("{\n        \"hashAlgo\": "u8);
                String(o.MethodAlgo);
                Ascii(",\n        \"impure\": true\n      }"u8);
                break;
            default:
                Ascii("{}"u8);
                break;
        }
    }

    private void StringArray(IReadOnlyList<byte[]> items, ReadOnlySpan<byte> indent)
    {
        if (items.Count == 0)
        {
            Ascii("[]"u8);
            return;
        }
        for (var i = 0; i < items.Count; i++)
        {
            Ascii(i == 0 ? "[\n  "u8 : ",\n  "u8);
            Ascii(indent);
            String(items[i]);
        }
        Ascii("\n"u8);
        Ascii(indent);
        Ascii("]"u8);
    }

    private void StringArray(IReadOnlyList<string> items, ReadOnlySpan<byte> indent)
    {
        if (items.Count == 0)
        {
            Ascii("[]"u8);
            return;
        }
        for (var i = 0; i < items.Count; i++)
        {
            Ascii(i == 0 ? "[\n  "u8 : ",\n  "u8);
            Ascii(indent);
            String(items[i]);
        }
        Ascii("\n"u8);
        Ascii(indent);
        Ascii("]"u8);
    }

    private void Ascii(ReadOnlySpan<byte> text)
    {
        text.CopyTo(_out.GetSpan(text.Length));
        _out.Advance(text.Length);
    }

    private void String(string text)
    {
        // Store paths and output names: short, so encode on the stack instead of allocating.
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (max > 1024)
        {
            String(Encoding.UTF8.GetBytes(text));
            return;
        }
        Span<byte> utf8 = stackalloc byte[max];
        String(utf8[..Encoding.UTF8.GetBytes(text, utf8)]);
    }

    private void String(ReadOnlySpan<byte> bytes)
    {
        // Worst case every byte becomes \u00xx (6 bytes).
        var span = _out.GetSpan((bytes.Length * 6) + 2);
        span[0] = (byte)'"';
        var n = 1 + Escape(bytes, span[1..]);
        span[n++] = (byte)'"';
        _out.Advance(n);
    }

    /// <summary>Writes <paramref name="bytes"/> JSON-escaped into <paramref name="destination"/>; returns the length written.</summary>
    private static int Escape(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        // Runs of plain bytes are found with a vectorised search (the binary is compiled ahead of
        // time, so it runs optimised from the first call) and copied whole.
        var n = 0;
        while (true)
        {
            var special = bytes.IndexOfAny(NeedEscaping);
            if (special < 0)
            {
                bytes.CopyTo(destination[n..]);
                return n + bytes.Length;
            }
            bytes[..special].CopyTo(destination[n..]);
            n += special;
            n += EscapeByte(bytes[special], destination[n..]);
            bytes = bytes[(special + 1)..];
        }
    }

    /// <summary>One byte as JSON writes it: itself, or its escape.</summary>
    private static int EscapeByte(byte b, Span<byte> destination)
    {
        var e = Escapes[b];
        if (e == 0)
        {
            destination[0] = b;
            return 1;
        }
        destination[0] = (byte)'\\';
        if (e != (byte)'u')
        {
            destination[1] = e;
            return 2;
        }
        destination[1] = (byte)'u';
        destination[2] = (byte)'0';
        destination[3] = (byte)'0';
        destination[4] = HexDigits[b >> 4];
        destination[5] = HexDigits[b & 15];
        return 6;
    }

    /// <summary>The bytes <see cref="Escapes"/> does not pass through: below 0x20, the quote and the backslash.</summary>
    private static readonly SearchValues<byte> NeedEscaping = SearchValues.Create(
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
        (byte)'"', (byte)'\\',
    ]);

    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;

    /// <summary>
    /// For each byte, what follows the backslash that escapes it: <c>" \ n r t</c>, <c>u</c> for
    /// the other bytes below 0x20 (written <c>\u00xx</c>), 0 for bytes written as they are.
    /// </summary>
    private static ReadOnlySpan<byte> Escapes =>
    [
        (byte)'u', (byte)'u', (byte)'u', (byte)'u', (byte)'u', (byte)'u', (byte)'u', (byte)'u',
        (byte)'u', (byte)'t', (byte)'n', (byte)'u', (byte)'u', (byte)'r', (byte)'u', (byte)'u',
        (byte)'u', (byte)'u', (byte)'u', (byte)'u', (byte)'u', (byte)'u', (byte)'u', (byte)'u',
        (byte)'u', (byte)'u', (byte)'u', (byte)'u', (byte)'u', (byte)'u', (byte)'u', (byte)'u',
        0, 0, (byte)'"', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)'\\', 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
}
