using System.Runtime.CompilerServices;
using System.Text;

namespace Vigil.Store.Evaluation;

/// <summary>The lines of a list file (<c>-</c>: standard input) with their 1-based numbers.</summary>
internal static class NumberedLines
{
    public static async IAsyncEnumerable<(int Number, string Text)> ReadAsync(string file, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stream = file == "-" ? Console.OpenStandardInput() : new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: false));
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            number++;
            yield return (number, line);
        }
    }

    /// <summary>The attribute name given to a line that could not be read as a record.</summary>
    public static string LineAttr(int number) => $"line {number}";
}
