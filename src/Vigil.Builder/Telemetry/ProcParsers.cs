using System.Globalization;

namespace Vigil.Builder.Telemetry;

/// <summary>
/// Parsers of the kernel's text files the builder reports from. They never throw: a file that is
/// missing, truncated or of an unexpected shape yields null (or skips the line), since a heartbeat
/// with one value missing is better than no heartbeat.
/// </summary>
public static class ProcParsers
{
    /// <summary>
    /// /proc/pressure/{cpu,memory,io}: lines <c>some avg10=0.12 avg60=… avg300=… total=…</c> and
    /// <c>full …</c>. Null without a readable "some" line (no PSI: old kernel or disabled).
    /// </summary>
    public static PressureReading? ParsePressure(string? text)
    {
        if (text is null)
        {
            return null;
        }
        double? some = null;
        double? full = null;
        foreach (var rawLine in text.Split('\n'))
        {
            var fields = rawLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2)
            {
                continue;
            }
            var avg10 = FindValue(fields, "avg10=");
            if (avg10 is null)
            {
                continue;
            }
            if (fields[0] == "some")
            {
                some ??= avg10;
            }
            else if (fields[0] == "full")
            {
                full ??= avg10;
            }
        }
        return some is null ? null : new PressureReading(some.Value, full ?? 0);
    }

    /// <summary>/proc/loadavg: the first three fields, the 1, 5 and 15 minute load averages.</summary>
    public static (double Load1, double Load5, double Load15)? ParseLoadAverage(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var fields = text.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 3
            || !TryNumber(fields[0], out var one)
            || !TryNumber(fields[1], out var five)
            || !TryNumber(fields[2], out var fifteen))
        {
            return null;
        }
        return (one, five, fifteen);
    }

    /// <summary>/proc/meminfo: MemAvailable and MemTotal in bytes (the file says kB, meaning KiB).</summary>
    public static (ulong Available, ulong Total)? ParseMemInfo(string? text)
    {
        if (text is null)
        {
            return null;
        }
        ulong? available = null;
        ulong? total = null;
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }
            var key = line[..colon];
            if (key is not ("MemAvailable" or "MemTotal"))
            {
                continue;
            }
            var fields = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || !ulong.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
            {
                continue;
            }
            var unit = fields.Length > 1 ? fields[1] : "";
            ulong bytes;
            if (unit == "kB")
            {
                if (amount > ulong.MaxValue / 1024)
                {
                    continue;
                }
                bytes = amount * 1024;
            }
            else if (unit.Length == 0)
            {
                bytes = amount;
            }
            else
            {
                continue;
            }
            if (key == "MemAvailable")
            {
                available ??= bytes;
            }
            else
            {
                total ??= bytes;
            }
        }
        return available is null || total is null ? null : (available.Value, total.Value);
    }

    private static double? FindValue(string[] fields, string prefix)
    {
        foreach (var field in fields)
        {
            if (field.StartsWith(prefix, StringComparison.Ordinal) && TryNumber(field[prefix.Length..], out var value))
            {
                return value;
            }
        }
        return null;
    }

    private static bool TryNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}
