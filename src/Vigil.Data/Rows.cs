using System.Data.Common;
using Vigil.Nix.Fetchers;
using Vigil.Nix.Hashing;

namespace Vigil.Data;

/// <summary>
/// Column lists and row codecs shared by both dialects, so a column is named and converted in one
/// place. Writers fill a reused value buffer in column order; readers start at a given ordinal.
/// </summary>
internal static class Rows
{
    public static readonly string[] FodColumns =
    [
        "drv_path", "output_path", "name", "algorithm", "hash_mode", "hash_sri",
        "original_hash", "fetcher", "urls", "rev", "recipe", "recipe_hash",
    ];

    public static readonly string[] RootColumns = ["revision_id", "attr", "drv_path"];

    public static readonly string[] RevisionFodColumns = ["revision_id", "drv_path", "attrs", "attr_count"];

    public static readonly string[] EvalErrorColumns = ["revision_id", "attr", "message"];


    public static void Fill(FodRecord fod, object?[] values)
    {
        values[0] = fod.DrvPath;
        values[1] = fod.OutputPath;
        values[2] = fod.Name;
        values[3] = fod.Algorithm.Name();
        values[4] = fod.HashMode;
        values[5] = fod.HashSri;
        values[6] = fod.OriginalHash;
        values[7] = FetcherKinds.Name(fod.Fetcher);
        values[8] = TextList.Join(fod.Urls);
        values[9] = fod.Rev;
        values[10] = fod.Recipe;
        values[11] = fod.RecipeHash;
    }

    public static FodRecord ReadFod(DbDataReader r)
    {
        var algorithm = r.GetString(3);
        if (!HashAlgorithms.TryParse(algorithm, out var kind))
        {
            throw new InvalidDataException($"stored hash algorithm '{algorithm}' of {r.GetString(0)} is not one Nix knows");
        }
        return new FodRecord(
            DrvPath: r.GetString(0),
            OutputPath: r.GetString(1),
            Name: r.GetString(2),
            Algorithm: kind,
            HashMode: r.GetString(4),
            HashSri: r.GetString(5),
            OriginalHash: r.GetString(6),
            Fetcher: ParseFetcher(r.GetString(7)),
            Urls: TextList.Split(r.GetString(8)),
            Rev: r.IsDBNull(9) ? null : r.GetString(9),
            Recipe: r.GetString(10),
            RecipeHash: r.GetString(11));
    }

    /// <summary>
    /// Indexes of <paramref name="rows"/> in ordinal key order. Bulk writers insert in this order so
    /// B-trees grow at their right edge instead of splitting pages all over: random store-path keys
    /// take about half the time that way.
    /// </summary>
    public static int[] KeyOrder<T>(IReadOnlyList<T> rows, Func<T, string> key)
    {
        var order = new int[rows.Count];
        var keys = new string[rows.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
            keys[i] = key(rows[i]);
        }
        Array.Sort(keys, order, StringComparer.Ordinal);
        return order;
    }

    private static FetcherKind ParseFetcher(string stored) =>
        FetcherKinds.TryParse(stored, out var kind)
            ? kind
            : throw new InvalidDataException($"stored fetcher '{stored}' is not a fetcher kind this Vigil knows");

    public static string List(string[] columns, string? prefix = null) =>
        prefix is null ? string.Join(", ", columns) : string.Join(", ", columns.Select(c => prefix + c));
}
