using System.Data.Common;
using System.Globalization;

namespace Vigil.Data;

/// <summary>Vulnerability feed records and triage rules (schema v5), shared by both dialects.</summary>
internal abstract partial class SqlVigilDatabase
{
    protected static readonly string[] VulnRecordColumns = ["source", "record_id", "aliases", "content_hash", "summary", "modified", "affected"];

    protected static readonly string[] VulnTriageColumns = ["cve", "pname", "version", "status", "reason", "until", "issue_url", "origin", "created_at"];

    /// <summary>Inserts feed records, replacing stored ones with the same (source, record_id), inside <paramref name="transaction"/>.</summary>
    protected abstract Task UpsertVulnRecordRowsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<VulnRecordRow> rows, CancellationToken cancellationToken);

    /// <summary>Inserts triage rules, replacing stored ones with the same (cve, pname, version), inside <paramref name="transaction"/>.</summary>
    protected abstract Task UpsertVulnTriageRowsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<VulnTriageRule> rules, CancellationToken cancellationToken);

    public override Task<IReadOnlyList<VulnRecordKey>> ListVulnRecordKeysAsync(CancellationToken cancellationToken = default) =>
        QueryListAsync("listing vulnerability records", "SELECT source, record_id, content_hash FROM vuln_records",
            r => new VulnRecordKey(r.GetString(0), r.GetString(1), r.GetString(2)), cancellationToken);

    public override Task<IReadOnlyList<VulnRecordRow>> ListVulnRecordsAsync(CancellationToken cancellationToken = default) =>
        QueryListAsync("reading vulnerability records", $"SELECT {Rows.List(VulnRecordColumns)} FROM vuln_records ORDER BY source, record_id",
            r => new VulnRecordRow(r.GetString(0), r.GetString(1), TextList.Split(r.GetString(2)), r.GetString(3), NullableString(r, 4), NullableString(r, 5), r.GetString(6)),
            cancellationToken);

    public override Task UpsertVulnRecordsAsync(IReadOnlyList<VulnRecordRow> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        RejectDuplicates(records, r => r.Source + "\n" + r.RecordId, "vulnerability record", nameof(records));
        return records.Count == 0 ? Task.CompletedTask : InTransactionAsync("storing vulnerability records",
            (connection, tx, ct) => UpsertVulnRecordRowsAsync(connection, tx, records, ct), cancellationToken);
    }

    public override Task SaveVulnTriageAsync(IReadOnlyList<VulnTriageRule> rules, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rules);
        RejectDuplicates(rules, r => $"{r.Cve}\n{r.Pname}\n{r.Version}", "triage rule", nameof(rules));
        return rules.Count == 0 ? Task.CompletedTask : InTransactionAsync("storing triage rules",
            (connection, tx, ct) => UpsertVulnTriageRowsAsync(connection, tx, rules, ct), cancellationToken);
    }

    public override Task<IReadOnlyList<VulnTriageRule>> ListVulnTriageAsync(CancellationToken cancellationToken = default) =>
        QueryListAsync("reading triage rules", $"SELECT {Rows.List(VulnTriageColumns)} FROM vuln_triage ORDER BY cve, pname, version",
            r => new VulnTriageRule(
                r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
                r.IsDBNull(5) ? null : DateOnly.ParseExact(r.GetString(5), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                NullableString(r, 6), r.GetString(7), ReadTime(r, 8)),
            cancellationToken);

    /// <summary>The column values of a triage rule, in <see cref="VulnTriageColumns"/> order.</summary>
    protected void FillTriage(VulnTriageRule rule, object?[] values)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(values);
        values[0] = rule.Cve;
        values[1] = rule.Pname;
        values[2] = rule.Version;
        values[3] = rule.Status;
        values[4] = rule.Reason;
        values[5] = rule.Until?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        values[6] = rule.IssueUrl;
        values[7] = rule.Origin;
        values[8] = ToDbTime(rule.CreatedAt);
    }

    /// <summary>The column values of a feed record, in <see cref="VulnRecordColumns"/> order.</summary>
    protected static void FillVulnRecord(VulnRecordRow row, object?[] values)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(values);
        values[0] = row.Source;
        values[1] = row.RecordId;
        values[2] = TextList.Join(row.Aliases);
        values[3] = row.ContentHash;
        values[4] = row.Summary;
        values[5] = row.Modified;
        values[6] = row.Affected;
    }

    private Task InTransactionAsync(string operation, Func<DbConnection, DbTransaction, CancellationToken, Task> write, CancellationToken cancellationToken) =>
        GuardAsync(operation, async ct =>
        {
            await using var connection = await OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await write(connection, tx, ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return 0;
        }, cancellationToken);
}
