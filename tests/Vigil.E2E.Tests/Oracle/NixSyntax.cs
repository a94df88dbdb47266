using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Vigil.E2E.Tests.Oracle;

/// <summary>
/// Renders generated values as Nix source. Literal text is escaped (<c>\" \\ \n \r \t \$</c>);
/// control bytes, which a source file should not carry raw, come from <c>builtins.fromJSON</c>
/// and are concatenated in, so every byte the generator chose reaches the derivation.
/// </summary>
internal static partial class NixSyntax
{
    private static readonly HashSet<string> Keywords = ["if", "then", "else", "assert", "with", "let", "in", "rec", "inherit", "or"];

    public static string String(byte[] bytes) => Interpolated([new TextPart(bytes)]);

    /// <summary>A string expression from literal parts and <c>${…}</c> references, one literal where possible.</summary>
    public static string Interpolated(IReadOnlyList<StringPart> parts)
    {
        var pieces = new List<string>();
        var literal = new StringBuilder();
        var open = false;
        void Close()
        {
            if (open)
            {
                literal.Append('"');
                pieces.Add(literal.ToString());
                literal.Clear();
                open = false;
            }
        }
        void Open()
        {
            if (!open)
            {
                literal.Append('"');
                open = true;
            }
        }
        foreach (var part in parts)
        {
            switch (part)
            {
                case RefPart r:
                    Open();
                    literal.Append("${").Append(Reference(r.Ref)).Append('}');
                    break;
                case TextPart t:
                    var text = Encoding.UTF8.GetString(t.Bytes);
                    foreach (var rune in text.EnumerateRunes())
                    {
                        var v = rune.Value;
                        if (v is < 0x20 and not ('\n' or '\r' or '\t') || v == 0x7f)
                        {
                            Close();
                            pieces.Add(string.Create(CultureInfo.InvariantCulture, $"(builtins.fromJSON \"\\\"\\\\u{v:x4}\\\"\")"));
                            continue;
                        }
                        Open();
                        literal.Append(v switch
                        {
                            '"' => "\\\"",
                            '\\' => "\\\\",
                            '\n' => "\\n",
                            '\r' => "\\r",
                            '\t' => "\\t",
                            '$' => "\\$",
                            _ => rune.ToString(),
                        });
                    }
                    break;
            }
        }
        Close();
        return pieces.Count switch
        {
            0 => "\"\"",
            1 => pieces[0],
            _ => "(" + string.Join(" + ", pieces) + ")",
        };
    }

    /// <summary>An attribute name: bare when it is an identifier, quoted, or dynamic when it needs <c>fromJSON</c>.</summary>
    public static string AttrName(byte[] key)
    {
        var text = Encoding.UTF8.GetString(key);
        if (Identifier().IsMatch(text) && !Keywords.Contains(text))
        {
            return text;
        }
        var expr = String(key);
        return expr.StartsWith('"') ? expr : "${" + expr + "}";
    }

    public static string Value(NixValue value) => value switch
    {
        StrValue s => String(s.Bytes),
        InterpValue i => Interpolated(i.Parts),
        IntValue n => n.Value < 0 ? $"({n.Value.ToString(CultureInfo.InvariantCulture)})" : n.Value.ToString(CultureInfo.InvariantCulture),
        BoolValue b => b.Value ? "true" : "false",
        NullValue => "null",
        FloatValue f => f.Value < 0 ? $"({Float(f.Value)})" : Float(f.Value),
        ListValue l => l.Items.Count == 0 ? "[ ]" : "[ " + string.Join(" ", l.Items.Select(x => "(" + Value(x) + ")")) + " ]",
        AttrsValue a => "{ " + string.Concat(a.Attrs.Select(kv => AttrName(kv.Key) + " = " + Value(kv.Value) + "; ")) + "}",
        RefValue r => Reference(r.Ref),
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    /// <summary>
    /// A store reference. As a bare value a derivation stays an attribute set and a path literal
    /// a path (both coerced later by the primop); inside <c>${}</c> they are the same expressions.
    /// </summary>
    public static string Reference(StoreRef reference) => reference switch
    {
        DrvOutputRef { Output: null } d => d.DrvId,
        DrvOutputRef d => d.DrvId + "." + String(Encoding.UTF8.GetBytes(d.Output)),
        DrvPathRef p => p.DrvId + ".drvPath",
        TextFileRef f => f.FileId,
        PathLiteralRef l => "./files/" + l.FileName,
        _ => throw new ArgumentOutOfRangeException(nameof(reference)),
    };

    private static string Float(double value) => value.ToString("0.0#####", CultureInfo.InvariantCulture);

    // \z rather than $, which also matches before a final newline ("K\n" is no identifier).
    [GeneratedRegex("\\A[a-zA-Z_][a-zA-Z0-9_'-]*\\z")]
    private static partial Regex Identifier();
}
