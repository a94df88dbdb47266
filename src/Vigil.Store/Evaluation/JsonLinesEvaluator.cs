using System.Runtime.CompilerServices;
using System.Text.Json;
using Vigil.Nix;

namespace Vigil.Store.Evaluation;

/// <summary>
/// <c>jsonl</c>: nix-eval-jobs output, one JSON object a line: <c>{"attr":…,"drvPath":…}</c> or
/// <c>{"attr":…,"error":…}</c> (other fields ignored; <c>attrPath</c> stands in for a missing
/// <c>attr</c>). Blank lines are skipped. A line that is not such an object becomes
/// <see cref="AttrFailed"/> naming the line number, never silently dropped.
/// </summary>
public sealed class JsonLinesEvaluator : IEvaluator
{
    private readonly StoreLocation store;

    public JsonLinesEvaluator(StoreLocation? store = null) => this.store = store ?? StoreLocation.FromEnvironment();

    public string Name => "jsonl";

    public async IAsyncEnumerable<EvalEvent> EvaluateAsync(EvalTarget target, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        await foreach (var (number, line) in NumberedLines.ReadAsync(target.File, cancellationToken).ConfigureAwait(false))
        {
            if (line.AsSpan().Trim().Length > 0)
            {
                yield return Read(number, line);
            }
        }
    }

    private EvalEvent Read(int number, string line)
    {
        string? attr = null;
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Malformed(number, null, $"expected a JSON object, found {root.ValueKind}");
            }
            attr = ReadAttr(root);
            if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
            {
                return attr is null
                    ? Malformed(number, null, "an error without attr")
                    : new AttrFailed(attr, error.ValueKind == JsonValueKind.String ? error.GetString()! : error.GetRawText());
            }
            if (attr is null)
            {
                return Malformed(number, null, "no attr or attrPath");
            }
            if (!root.TryGetProperty("drvPath", out var drv) || drv.ValueKind != JsonValueKind.String)
            {
                return Malformed(number, attr, "neither a drvPath string nor an error");
            }
            var drvPath = store.ToStorePath(drv.GetString()!);
            if (!store.StoreDir.Parse(drvPath).IsDerivation)
            {
                return Malformed(number, attr, $"'{drvPath}' is not a .drv path");
            }
            return new AttrEvaluated(attr, drvPath);
        }
        catch (JsonException e)
        {
            return Malformed(number, attr, $"not JSON: {e.Message}");
        }
        catch (NixFormatException e)
        {
            return Malformed(number, attr, e.Reason);
        }
    }

    private static string? ReadAttr(JsonElement root)
    {
        if (root.TryGetProperty("attr", out var attr) && attr.ValueKind == JsonValueKind.String)
        {
            return attr.GetString();
        }
        if (root.TryGetProperty("attrPath", out var path) && path.ValueKind == JsonValueKind.Array
            && path.EnumerateArray().All(p => p.ValueKind == JsonValueKind.String))
        {
            return string.Join('.', path.EnumerateArray().Select(p => p.GetString()));
        }
        return null;
    }

    private static AttrFailed Malformed(int number, string? attr, string reason) =>
        new(attr ?? NumberedLines.LineAttr(number), $"line {number}: {reason}");
}
