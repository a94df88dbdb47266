using System.Text.Json;

namespace Vigil.E2E.Tests.Oracle;

/// <summary>The store paths Nix's evaluation reported for a batch.</summary>
internal sealed class BatchPaths
{
    private BatchPaths(Dictionary<string, (string DrvPath, string OutPath, Dictionary<string, string> Outputs)> drvs, Dictionary<string, string> files)
    {
        DrvInfo = drvs;
        Files = files;
    }

    public IReadOnlyDictionary<string, (string DrvPath, string OutPath, Dictionary<string, string> Outputs)> DrvInfo { get; }

    /// <summary><c>fN</c> and <c>p:NAME</c> → store path.</summary>
    public IReadOnlyDictionary<string, string> Files { get; }

    public string DrvPath(string id) => DrvInfo[id].DrvPath;

    public static BatchPaths Parse(byte[] json)
    {
        using var doc = JsonDocument.Parse(json);
        var drvs = new Dictionary<string, (string, string, Dictionary<string, string>)>(StringComparer.Ordinal);
        foreach (var d in doc.RootElement.GetProperty("drvs").EnumerateObject())
        {
            var outputs = d.Value.GetProperty("outs").EnumerateObject().ToDictionary(o => o.Name, o => o.Value.GetString()!, StringComparer.Ordinal);
            drvs[d.Name] = (d.Value.GetProperty("drv").GetString()!, d.Value.GetProperty("first").GetString()!, outputs);
        }
        var files = doc.RootElement.GetProperty("files").EnumerateObject().ToDictionary(f => f.Name, f => f.Value.GetString()!, StringComparer.Ordinal);
        return new BatchPaths(drvs, files);
    }

    /// <summary>The string a reference coerces to.</summary>
    public string Resolve(StoreRef reference) => reference switch
    {
        DrvOutputRef { Output: null } d => DrvInfo[d.DrvId].OutPath,
        DrvOutputRef d => DrvInfo[d.DrvId].Outputs[d.Output],
        DrvPathRef p => DrvInfo[p.DrvId].DrvPath,
        TextFileRef f => Files[f.FileId],
        PathLiteralRef l => Files["p:" + l.FileName],
        _ => throw new ArgumentOutOfRangeException(nameof(reference)),
    };
}
