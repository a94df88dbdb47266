using System.Collections.Concurrent;
using System.Text.Json;

namespace Vigil.Store.Evaluation;

/// <summary>
/// Turns walker records into events, once per derivation, mirror list and attribute even when
/// several processes (parallel groups, or re-runs after a failure) print the same thing.
/// </summary>
internal sealed class WalkerSink
{
    private readonly ConcurrentDictionary<string, byte> drvs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> mirrors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> reported = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> caught = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Attr, string[] Drvs)> unresolved = new();

    public const string NotDerivations = "the target is neither a derivation nor a set or list of them";

    /// <summary>Attributes that failed under <c>builtins.tryEval</c> (no message yet).</summary>
    public IEnumerable<string> CaughtFailures => caught.Keys;

    /// <summary>Every derivation walked so far.</summary>
    public bool HasSeen(string drvPath) => drvs.ContainsKey(drvPath);

    /// <summary>String-context derivations per attribute, as the processes reported them.</summary>
    public IEnumerable<(string Attr, string[] Drvs)> Unresolved => unresolved;

    /// <summary>Claims the one report an attribute gets; false when it already had it.</summary>
    public bool TryReport(string attr) => reported.TryAdd(attr, 0);

    public void Handle(string section, ReadOnlySpan<byte> json, List<EvalEvent> batch)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        switch (section)
        {
            case "roots":
                HandleRoot(ref reader, batch);
                break;
            case "drvs":
                HandleDrv(ref reader, batch);
                break;
            case "mirrors":
                HandleMirrors(ref reader, batch);
                break;
            default:
                throw new JsonException($"unknown walker output section '{section}'");
        }
    }

    private void HandleRoot(ref Utf8JsonReader reader, List<EvalEvent> batch)
    {
        string? attr = null, drvPath = null;
        bool failed = false, noDerivations = false;
        while (NextProperty(ref reader, out var name))
        {
            switch (name)
            {
                case "attr":
                    attr = reader.GetString();
                    break;
                case "drvPath":
                    drvPath = reader.GetString();
                    break;
                case "failed":
                    failed = reader.GetBoolean();
                    break;
                case "noDerivations":
                    noDerivations = reader.GetBoolean();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        if (attr is null)
        {
            throw new JsonException("root record without attr");
        }
        if (drvPath is not null)
        {
            if (TryReport(attr))
            {
                batch.Add(new AttrEvaluated(attr, drvPath));
            }
        }
        else if (failed)
        {
            caught.TryAdd(attr, 0);
        }
        else if (noDerivations && TryReport(attr))
        {
            batch.Add(new AttrFailed(attr, NotDerivations));
        }
    }

    private void HandleDrv(ref Utf8JsonReader reader, List<EvalEvent> batch)
    {
        string? attr = null, drvPath = null, output = null, name = null, mirrorsDrv = null;
        Dictionary<string, string>? fod = null;
        string[] inputs = [], context = [];
        while (NextProperty(ref reader, out var property))
        {
            switch (property)
            {
                case "attr":
                    attr = reader.GetString();
                    break;
                case "drvPath":
                    drvPath = reader.GetString();
                    break;
                case "out":
                    output = reader.GetString();
                    break;
                case "name":
                    name = reader.GetString();
                    break;
                case "mirrorsDrv":
                    mirrorsDrv = reader.GetString();
                    break;
                case "fod":
                    fod = ReadStringMap(ref reader);
                    break;
                case "inputs":
                    inputs = ReadStrings(ref reader);
                    break;
                case "unresolved":
                    context = ReadStrings(ref reader);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        if (attr is null || drvPath is null || output is null || name is null)
        {
            throw new JsonException("derivation record without attr, drvPath, out or name");
        }
        if (!drvs.TryAdd(drvPath, 0))
        {
            return;
        }
        batch.Add(new DerivationSeen(attr, drvPath, output, name, fod, mirrorsDrv, inputs));
        if (context.Length > 0)
        {
            unresolved.Enqueue((attr, context));
        }
    }

    private void HandleMirrors(ref Utf8JsonReader reader, List<EvalEvent> batch)
    {
        string? drvPath = null;
        Dictionary<string, string>? sites = null;
        while (NextProperty(ref reader, out var property))
        {
            switch (property)
            {
                case "drvPath":
                    drvPath = reader.GetString();
                    break;
                case "sites":
                    sites = ReadStringMap(ref reader);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        if (drvPath is null || sites is null)
        {
            throw new JsonException("mirror list record without drvPath or sites");
        }
        if (mirrors.TryAdd(drvPath, 0))
        {
            batch.Add(new MirrorListSeen(drvPath, sites));
        }
    }

    /// <summary>Moves to the next property's value; false at the end of the object.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader, out string name)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.EndObject)
        {
            name = "";
            return false;
        }
        name = reader.GetString() ?? "";
        reader.Read();
        return true;
    }

    private static Dictionary<string, string> ReadStringMap(ref Utf8JsonReader reader)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        while (NextProperty(ref reader, out var key))
        {
            map[key] = reader.GetString() ?? "";
        }
        return map;
    }

    private static string[] ReadStrings(ref Utf8JsonReader reader)
    {
        var list = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            list.Add(reader.GetString() ?? "");
        }
        return [.. list];
    }
}
