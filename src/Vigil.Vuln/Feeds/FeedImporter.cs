using System.Diagnostics;
using Vigil.Data;

namespace Vigil.Vuln.Feeds;

/// <summary>
/// Imports feed files into the database, incrementally and idempotently: each record is keyed by
/// (source, id) and carries the hash of its JSON; a record whose hash is stored already is left
/// alone, a new or changed one is written. Writes go in batches, each one transaction (an
/// interrupted import keeps the batches it committed and the rerun skips them as unchanged).
/// </summary>
public sealed class FeedImporter(VigilDatabase database)
{
    /// <summary>Rows per write transaction.</summary>
    public int BatchSize { get; init; } = 20_000;

    public async Task<ImportReport> ImportAsync(string path, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var clock = Stopwatch.StartNew();
        var files = FeedReader.ListFiles(path);
        var stored = new Dictionary<(string, string), string>();
        foreach (var key in await database.ListVulnRecordKeysAsync(cancellationToken).ConfigureAwait(false))
        {
            stored[(key.Source, key.RecordId)] = key.ContentHash;
        }
        var pending = new Dictionary<(string, string), VulnRecordRow>();
        var malformed = new List<FeedItem>();
        int imported = 0, updated = 0, unchanged = 0, read = 0;
        foreach (var item in FeedReader.Read(path, cancellationToken))
        {
            if (++read % 10_000 == 0)
            {
                progress?.Report(read);
            }
            if (item.Record is not { } record)
            {
                malformed.Add(item);
                continue;
            }
            var key = (record.Source, record.Id);
            if (stored.TryGetValue(key, out var hash))
            {
                if (hash == item.ContentHash)
                {
                    unchanged++;
                    continue;
                }
                updated++;
            }
            else
            {
                imported++;
            }
            stored[key] = item.ContentHash!;
            pending[key] = new VulnRecordRow(record.Source, record.Id, record.Aliases, item.ContentHash!, record.Summary, record.Modified, AffectedCodec.Encode(record.Affected));
            if (pending.Count >= BatchSize)
            {
                await FlushAsync(pending, cancellationToken).ConfigureAwait(false);
            }
        }
        await FlushAsync(pending, cancellationToken).ConfigureAwait(false);
        return new ImportReport(files.Count, imported, updated, unchanged, malformed, clock.Elapsed);
    }

    private async Task FlushAsync(Dictionary<(string, string), VulnRecordRow> pending, CancellationToken cancellationToken)
    {
        if (pending.Count == 0)
        {
            return;
        }
        await database.UpsertVulnRecordsAsync([.. pending.Values], cancellationToken).ConfigureAwait(false);
        pending.Clear();
    }
}
