using System.Globalization;
using System.Text;

namespace Vigil.Vuln.Triage;

/// <summary>
/// The part of TOML that vulnix whitelists use: <c>#</c> comments, table headers <c>[name]</c> with a
/// bare or quoted name, and <c>key = value</c> lines whose value is a basic or literal string, a
/// local date (<c>2018-06-01</c>), a boolean, or an array of strings (over several lines, trailing
/// comma allowed). Anything else (dotted keys, arrays of tables, inline tables, numbers, multi-line
/// strings) is refused with the line number, never guessed at.
/// </summary>
internal static class TomlSubset
{
    /// <summary>A value: a string, or a list of strings.</summary>
    internal sealed record Value(string? Text, IReadOnlyList<string>? List);

    /// <exception cref="WhitelistFormatException">The text is outside the subset.</exception>
    public static List<(string Table, Dictionary<string, Value> Keys)> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tables = new List<(string, Dictionary<string, Value>)>();
        var p = new Cursor(text);
        Dictionary<string, Value>? current = null;
        while (true)
        {
            p.SkipBlankAndComments();
            if (p.AtEnd)
            {
                return tables;
            }
            if (p.Peek == '[')
            {
                p.Advance();
                if (p.Peek == '[')
                {
                    throw p.Error("arrays of tables ([[…]]) are not part of a whitelist");
                }
                p.SkipSpaces();
                var name = p.Key();
                p.SkipSpaces();
                p.Expect(']');
                p.EndOfLine();
                current = new Dictionary<string, Value>(StringComparer.Ordinal);
                tables.Add((name, current));
                continue;
            }
            if (current is null)
            {
                throw p.Error("a key before any [section]");
            }
            var key = p.Key();
            p.SkipSpaces();
            p.Expect('=');
            p.SkipSpaces();
            var value = p.Value();
            p.EndOfLine();
            if (!current.TryAdd(key, value))
            {
                throw p.Error($"key '{key}' is set twice");
            }
        }
    }

    private sealed class Cursor(string text)
    {
        private int pos;

        public bool AtEnd => pos >= text.Length;

        public char Peek => pos < text.Length ? text[pos] : '\0';

        public void Advance() => pos++;

        public WhitelistFormatException Error(string message)
        {
            var line = 1;
            for (var i = 0; i < Math.Min(pos, text.Length); i++)
            {
                if (text[i] == '\n')
                {
                    line++;
                }
            }
            return new WhitelistFormatException(string.Create(CultureInfo.InvariantCulture, $"line {line}: {message}"));
        }

        public void SkipSpaces()
        {
            while (pos < text.Length && text[pos] is ' ' or '\t')
            {
                pos++;
            }
        }

        public void SkipBlankAndComments()
        {
            while (pos < text.Length)
            {
                var c = text[pos];
                if (c is ' ' or '\t' or '\r' or '\n')
                {
                    pos++;
                }
                else if (c == '#')
                {
                    SkipComment();
                }
                else
                {
                    return;
                }
            }
        }

        private void SkipComment()
        {
            while (pos < text.Length && text[pos] != '\n')
            {
                pos++;
            }
        }

        public void Expect(char c)
        {
            if (Peek != c)
            {
                throw Error(AtEnd ? $"expected '{c}', found the end" : $"expected '{c}', found '{Peek}'");
            }
            pos++;
        }

        /// <summary>Spaces, an optional comment, then a line end or the end.</summary>
        public void EndOfLine()
        {
            SkipSpaces();
            if (Peek == '#')
            {
                SkipComment();
            }
            if (Peek == '\r')
            {
                pos++;
            }
            if (!AtEnd && Peek != '\n')
            {
                throw Error($"unexpected '{Peek}' after the value");
            }
        }

        public string Key()
        {
            switch (Peek)
            {
                case '"':
                    return BasicString();
                case '\'':
                    return LiteralString();
            }
            var start = pos;
            while (pos < text.Length && (char.IsAsciiLetterOrDigit(text[pos]) || text[pos] is '_' or '-'))
            {
                pos++;
            }
            if (pos == start)
            {
                throw Error(AtEnd ? "expected a key, found the end" : $"expected a key, found '{Peek}'");
            }
            if (Peek == '.')
            {
                throw Error("dotted keys are not part of a whitelist; quote the name");
            }
            return text[start..pos];
        }

        public Value Value()
        {
            switch (Peek)
            {
                case '"':
                    if (text.AsSpan(pos).StartsWith("\"\"\"", StringComparison.Ordinal))
                    {
                        throw Error("multi-line strings are not part of a whitelist");
                    }
                    return new Value(BasicString(), null);
                case '\'':
                    return new Value(LiteralString(), null);
                case '[':
                    return new Value(null, Array());
            }
            var start = pos;
            while (pos < text.Length && (char.IsAsciiLetterOrDigit(text[pos]) || text[pos] is '-' or ':' or '.'))
            {
                pos++;
            }
            var bare = text[start..pos];
            if (bare is "true" or "false")
            {
                return new Value(bare, null);
            }
            if (bare.Length == 10 && DateOnly.TryParseExact(bare, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                return new Value(bare, null);
            }
            pos = start;
            throw Error(AtEnd ? "expected a value, found the end" : $"expected a string, a date or an array of strings, found '{Peek}'");
        }

        private List<string> Array()
        {
            Expect('[');
            var items = new List<string>();
            while (true)
            {
                SkipBlankAndComments();
                if (Peek == ']')
                {
                    pos++;
                    return items;
                }
                items.Add(Peek switch
                {
                    '"' => BasicString(),
                    '\'' => LiteralString(),
                    _ => throw Error(AtEnd ? "unterminated array" : $"arrays hold strings only, found '{Peek}'"),
                });
                SkipBlankAndComments();
                if (Peek == ',')
                {
                    pos++;
                }
                else if (Peek != ']')
                {
                    throw Error(AtEnd ? "unterminated array" : $"expected ',' or ']', found '{Peek}'");
                }
            }
        }

        private string LiteralString()
        {
            Expect('\'');
            var start = pos;
            while (pos < text.Length && text[pos] != '\'')
            {
                if (text[pos] == '\n')
                {
                    throw Error("unterminated string");
                }
                pos++;
            }
            if (AtEnd)
            {
                throw Error("unterminated string");
            }
            return text[start..pos++];
        }

        private string BasicString()
        {
            Expect('"');
            var sb = new StringBuilder();
            while (true)
            {
                if (AtEnd || Peek == '\n')
                {
                    throw Error("unterminated string");
                }
                var c = text[pos++];
                if (c == '"')
                {
                    return sb.ToString();
                }
                if (c != '\\')
                {
                    sb.Append(c);
                    continue;
                }
                if (AtEnd)
                {
                    throw Error("unterminated string");
                }
                var e = text[pos++];
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case 'n': sb.Append('\n'); break;
                    case 't': sb.Append('\t'); break;
                    case 'r': sb.Append('\r'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'u' or 'U':
                        {
                            var digits = e == 'u' ? 4 : 8;
                            if (pos + digits > text.Length
                                || !int.TryParse(text.AsSpan(pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
                                || code > 0x10FFFF || code is >= 0xD800 and <= 0xDFFF)
                            {
                                throw Error("bad unicode escape");
                            }
                            sb.Append(char.ConvertFromUtf32(code));
                            pos += digits;
                            break;
                        }
                    default:
                        throw Error($"unknown escape '\\{e}'");
                }
            }
        }
    }
}
