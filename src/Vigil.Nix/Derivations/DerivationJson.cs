using System.Buffers;
using System.Text;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Derivations;

/// <summary>
/// The JSON of <c>nix show-derivation</c> in Nix 2.8, byte for byte: two-space indentation,
/// keys <c>outputs, inputSrcs, inputDrvs, system, builder, args, env</c>, strings escaped by
/// Nix's own printer (<c>" \ \n \r \t</c>, other bytes below 0x20 as <c>\u00xx</c>, every byte
/// from 0x7f up written raw, so non-UTF-8 env values pass through unchanged).
/// </summary>
public sealed class DerivationJson
{
    private readonly IBufferWriter<byte> _out;
    private readonly StoreDir _storeDir;
    private bool _any;

    public DerivationJson(IBufferWriter<byte> output, StoreDir storeDir)
    {
        _out = output;
        _storeDir = storeDir;
    }

    public void Begin() => Ascii("{");

    /// <summary>Appends one <c>"drvPath": {…}</c> member.</summary>
    public void Add(string drvPath, Derivation drv)
    {
        ArgumentNullException.ThrowIfNull(drv);
        Ascii(_any ? ",\n  " : "\n  ");
        _any = true;
        String(drvPath);
        Ascii(": {\n    \"outputs\": ");
        if (drv.Outputs.Count == 0)
        {
            Ascii("{}");
        }
        else
        {
            Ascii("{");
            for (var i = 0; i < drv.Outputs.Count; i++)
            {
                var o = drv.Outputs[i];
                Ascii(i == 0 ? "\n      " : ",\n      ");
                String(o.Name);
                Ascii(": ");
                WriteOutput(drv, o);
            }
            Ascii("\n    }");
        }
        Ascii(",\n    \"inputSrcs\": ");
        StringArray(drv.InputSources.Select(Encoding.UTF8.GetBytes).ToList(), "    ");
        Ascii(",\n    \"inputDrvs\": ");
        if (drv.InputDerivations.Count == 0)
        {
            Ascii("{}");
        }
        else
        {
            Ascii("{");
            for (var i = 0; i < drv.InputDerivations.Count; i++)
            {
                var input = drv.InputDerivations[i];
                Ascii(i == 0 ? "\n      " : ",\n      ");
                String(input.Path);
                Ascii(": ");
                StringArray(input.Outputs.Select(Encoding.UTF8.GetBytes).ToList(), "      ");
            }
            Ascii("\n    }");
        }
        Ascii(",\n    \"system\": ");
        String(drv.Platform);
        Ascii(",\n    \"builder\": ");
        String(drv.Builder);
        Ascii(",\n    \"args\": ");
        StringArray(drv.Args, "    ");
        Ascii(",\n    \"env\": ");
        if (drv.Env.Count == 0)
        {
            Ascii("{}");
        }
        else
        {
            Ascii("{");
            for (var i = 0; i < drv.Env.Count; i++)
            {
                Ascii(i == 0 ? "\n      " : ",\n      ");
                String(drv.Env[i].Key);
                Ascii(": ");
                String(drv.Env[i].Value);
            }
            Ascii("\n    }");
        }
        Ascii("\n  }");
    }

    public void End() => Ascii(_any ? "\n}\n" : "}\n");

    private void WriteOutput(Derivation drv, DerivationOutput o)
    {
        switch (o.Kind)
        {
            case OutputKind.InputAddressed:
                Ascii("{\n        \"path\": ");
                String(o.Path);
                Ascii("\n      }");
                break;
            case OutputKind.Fixed:
                // Nix prints the path it computes from the hash, not the one stored in the tuple.
                Ascii("{\n        \"path\": ");
                String(_storeDir.Print(_storeDir.MakeFixedOutputPath(o.Method, o.FixedHash!, drv.Name)));
                Ascii(",\n        \"hashAlgo\": ");
                String(o.MethodAlgo);
                Ascii(",\n        \"hash\": ");
                String(o.FixedHash!.ToBase16());
                Ascii("\n      }");
                break;
            case OutputKind.Floating:
                Ascii("{\n        \"hashAlgo\": ");
                String(o.MethodAlgo);
                Ascii("\n      }");
                break;
            case OutputKind.Impure:
                Ascii("{\n        \"hashAlgo\": ");
                String(o.MethodAlgo);
                Ascii(",\n        \"impure\": true\n      }");
                break;
            default:
                Ascii("{}");
                break;
        }
    }

    private void StringArray(IReadOnlyList<byte[]> items, string indent)
    {
        if (items.Count == 0)
        {
            Ascii("[]");
            return;
        }
        Ascii("[");
        for (var i = 0; i < items.Count; i++)
        {
            Ascii(i == 0 ? "\n  " : ",\n  ");
            Ascii(indent);
            String(items[i]);
        }
        Ascii("\n");
        Ascii(indent);
        Ascii("]");
    }

    private void Ascii(string text)
    {
        var span = _out.GetSpan(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            span[i] = (byte)text[i];
        }
        _out.Advance(text.Length);
    }

    private void String(string text) => String(Encoding.UTF8.GetBytes(text));

    private void String(ReadOnlySpan<byte> bytes)
    {
        // Worst case every byte becomes \u00xx (6 bytes).
        var span = _out.GetSpan((bytes.Length * 6) + 2);
        var n = 0;
        span[n++] = (byte)'"';
        foreach (var b in bytes)
        {
            switch (b)
            {
                case (byte)'"':
                case (byte)'\\':
                    span[n++] = (byte)'\\';
                    span[n++] = b;
                    break;
                case (byte)'\n':
                    span[n++] = (byte)'\\';
                    span[n++] = (byte)'n';
                    break;
                case (byte)'\r':
                    span[n++] = (byte)'\\';
                    span[n++] = (byte)'r';
                    break;
                case (byte)'\t':
                    span[n++] = (byte)'\\';
                    span[n++] = (byte)'t';
                    break;
                case < 0x20:
                    span[n++] = (byte)'\\';
                    span[n++] = (byte)'u';
                    span[n++] = (byte)'0';
                    span[n++] = (byte)'0';
                    span[n++] = (byte)"0123456789abcdef"[b >> 4];
                    span[n++] = (byte)"0123456789abcdef"[b & 15];
                    break;
                default:
                    span[n++] = b;
                    break;
            }
        }
        span[n++] = (byte)'"';
        _out.Advance(n);
    }
}
