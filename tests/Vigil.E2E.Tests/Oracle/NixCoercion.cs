using System.Globalization;
using System.Text;

namespace Vigil.E2E.Tests.Oracle;

/// <summary>
/// What the <c>derivation</c> primop of Nix 2.8 makes of an attribute value when it is not using
/// structured attrs (<c>coerceToString</c> with <c>coerceMore</c>): strings as they are,
/// <c>true</c> → <c>1</c>, <c>false</c>/<c>null</c> → empty, integers in decimal, floats as C's
/// <c>%f</c>, store references as their paths, and lists joined with single spaces, except that no
/// space follows an empty list (Nix's own "not quite correct" rule).
/// </summary>
internal static class NixCoercion
{
    public static byte[] Coerce(NixValue value, BatchPaths paths)
    {
        var buffer = new List<byte>();
        Append(value, paths, buffer);
        return [.. buffer];
    }

    private static void Append(NixValue value, BatchPaths paths, List<byte> buffer)
    {
        switch (value)
        {
            case StrValue s:
                buffer.AddRange(s.Bytes);
                break;
            case InterpValue i:
                foreach (var part in i.Parts)
                {
                    if (part is TextPart t)
                    {
                        buffer.AddRange(t.Bytes);
                    }
                    else if (part is RefPart r)
                    {
                        buffer.AddRange(Encoding.UTF8.GetBytes(paths.Resolve(r.Ref)));
                    }
                }
                break;
            case IntValue n:
                buffer.AddRange(Encoding.ASCII.GetBytes(n.Value.ToString(CultureInfo.InvariantCulture)));
                break;
            case BoolValue b:
                if (b.Value)
                {
                    buffer.Add((byte)'1');
                }
                break;
            case NullValue:
                break;
            case FloatValue f:
                buffer.AddRange(Encoding.ASCII.GetBytes(f.Value.ToString("F6", CultureInfo.InvariantCulture)));
                break;
            case ListValue l:
                for (var k = 0; k < l.Items.Count; k++)
                {
                    Append(l.Items[k], paths, buffer);
                    if (k < l.Items.Count - 1 && l.Items[k] is not ListValue { Items.Count: 0 })
                    {
                        buffer.Add((byte)' ');
                    }
                }
                break;
            case RefValue r:
                buffer.AddRange(Encoding.UTF8.GetBytes(paths.Resolve(r.Ref)));
                break;
            default:
                throw new InvalidOperationException($"{value.GetType().Name} cannot be coerced to a string outside structured attrs");
        }
    }
}
