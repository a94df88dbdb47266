using System.Text;

namespace Vigil.Data;

/// <summary>
/// The one-column encoding of a list of strings (drv inputs, URLs, attribute names): joined by
/// <c>'\n'</c>. Store paths and split URLs never hold a newline or a backslash, so the common case
/// is a plain join; anything else (attribute names may be any string) is escaped: <c>\\</c> for a
/// backslash, <c>\n</c> for a newline, and <c>\e</c> for an empty item so that <c>[""]</c> and
/// <c>[]</c> stay apart.
/// </summary>
internal static class TextList
{
    public static string Join(IReadOnlyList<string> items)
    {
        switch (items.Count)
        {
            case 0:
                return "";
            case 1 when !NeedsEscape(items[0]):
                return items[0];
        }
        var plain = true;
        var length = items.Count - 1;
        for (var i = 0; i < items.Count; i++)
        {
            plain &= !NeedsEscape(items[i]);
            length += items[i].Length;
        }
        if (plain)
        {
            return string.Create(length, items, static (span, list) =>
            {
                var at = 0;
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                    {
                        span[at++] = '\n';
                    }
                    list[i].CopyTo(span[at..]);
                    at += list[i].Length;
                }
            });
        }
        var sb = new StringBuilder(length + 8);
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                sb.Append('\n');
            }
            AppendEscaped(sb, items[i]);
        }
        return sb.ToString();
    }

    public static string[] Split(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }
        var parts = text.Split('\n');
        if (text.Contains('\\', StringComparison.Ordinal))
        {
            for (var i = 0; i < parts.Length; i++)
            {
                parts[i] = Unescape(parts[i]);
            }
        }
        return parts;
    }

    // An empty item needs escaping only to tell [""] from [] — but escaping it always keeps one rule.
    private static bool NeedsEscape(string item) => item.Length == 0 || item.AsSpan().IndexOfAny('\n', '\\') >= 0;

    private static void AppendEscaped(StringBuilder sb, string item)
    {
        if (item.Length == 0)
        {
            sb.Append("\\e");
            return;
        }
        foreach (var c in item)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                default: sb.Append(c); break;
            }
        }
    }

    private static string Unescape(string part)
    {
        if (!part.Contains('\\', StringComparison.Ordinal))
        {
            return part;
        }
        var sb = new StringBuilder(part.Length);
        for (var i = 0; i < part.Length; i++)
        {
            var c = part[i];
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            if (++i == part.Length)
            {
                throw new InvalidDataException("stored list ends in a lone '\\'");
            }
            switch (part[i])
            {
                case '\\': sb.Append('\\'); break;
                case 'n': sb.Append('\n'); break;
                case 'e' when part.Length == 2: break;
                default: throw new InvalidDataException($"stored list has an unknown escape '\\{part[i]}'");
            }
        }
        return sb.ToString();
    }
}
