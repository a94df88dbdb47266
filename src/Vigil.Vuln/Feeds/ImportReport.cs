namespace Vigil.Vuln.Feeds;

/// <summary>What a feed import did: records new to the database, changed, unchanged, and the malformed ones (skipped).</summary>
public sealed record ImportReport(int Files, int Imported, int Updated, int Unchanged, IReadOnlyList<FeedItem> Malformed, TimeSpan Elapsed)
{
    /// <summary>Records read (well-formed), whatever became of them.</summary>
    public int Records => Imported + Updated + Unchanged;

    /// <summary>Well-formed records read per second.</summary>
    public double RecordsPerSecond => Elapsed.TotalSeconds > 0 ? Records / Elapsed.TotalSeconds : 0;
}
