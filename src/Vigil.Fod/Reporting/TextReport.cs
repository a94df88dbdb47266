using System.Globalization;
using Vigil.Data;
using Vigil.Fod.Detection;

namespace Vigil.Fod.Reporting;

/// <summary>The report for people: the totals, every finding with its explanation, then the changes.</summary>
public static class TextReport
{
    /// <param name="listLimit">At most this many added/removed/changed FODs listed per section.</param>
    public static void Write(TextWriter output, FodReport report, int listLimit = 50)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(report);
        var d = report.Diff;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{report.Base.Name} -> {report.Head.Name}: {d.Added.Count} FODs added, {d.Removed.Count} removed, {d.Changed.Count} changed, {d.Unchanged} unchanged"));
        foreach (var f in report.Findings)
        {
            output.WriteLine();
            output.WriteLine($"{ReportJson.SeverityName(f.Severity)}[{f.Kind}] {Describe.Attr(f.Fod)}");
            foreach (var line in f.Message.Split('\n'))
            {
                output.WriteLine("  " + line);
            }
            output.WriteLine($"  drv: {f.Fod.Fod.DrvPath}");
            output.WriteLine($"  out: {f.Fod.Fod.OutputPath}");
        }
        Section(output, "changed", d.Changed, c => $"{Describe.Attr(c.Head)}: {c.Base.Fod.Name} -> {c.Head.Fod.Name}"
            + (c.HashChanged ? $", hash {c.Base.Fod.HashSri} -> {c.Head.Fod.HashSri}" : ", hash unchanged")
            + (c.RecipeChanged ? $", source {Describe.Source(c.Base.Fod)} -> {Describe.Source(c.Head.Fod)}" : ""), listLimit);
        Section(output, "added", d.Added, Line, listLimit);
        Section(output, "removed", d.Removed, Line, listLimit);
        var counts = Enum.GetValues<Severity>().Reverse()
            .Select(s => report.Findings.Count(f => f.Severity == s) is var n && n == 1 ? $"1 {ReportJson.SeverityName(s)}" : $"{n} {ReportJson.SeverityName(s)}s");
        output.WriteLine();
        output.WriteLine(string.Join(", ", counts));
    }

    private static string Line(StoredFod f) => $"{Describe.Attr(f)}: {f.Fod.Name} {f.Fod.HashSri} from {Describe.Source(f.Fod)}";

    private static void Section<T>(TextWriter output, string title, IReadOnlyList<T> items, Func<T, string> line, int limit)
    {
        if (items.Count == 0)
        {
            return;
        }
        output.WriteLine();
        output.WriteLine($"{title}:");
        foreach (var item in items.Take(limit))
        {
            output.WriteLine("  " + line(item));
        }
        if (items.Count > limit)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  … and {items.Count - limit} more (--format json lists all)"));
        }
    }
}
