using System.Data.Common;

namespace Vigil.Data;

/// <summary>Verification history and the trust database (schema v3), shared by both dialects.</summary>
internal abstract partial class SqlVigilDatabase
{
    private const string VerificationColumns =
        "drv_path, output_path, recipe_hash, hash_mode, status, expected, actual, method, url, detail, verified_at";

    private const string TrustedPairColumns =
        "recipe_hash, hash_sri, hash_mode, drv_path, method, url, first_verified_at, last_verified_at";

    private const string LivenessColumns =
        "recipe_hash, hash_sri, hash_mode, drv_path, last_status, last_checked_at, last_ok_at, broken_since, actual, url, detail";

    public override Task SaveVerificationsAsync(IReadOnlyList<VerificationRecord> results, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0)
        {
            return Task.CompletedTask;
        }
        return GuardAsync("saving verification results", async ct =>
        {
            await using var connection = await OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            foreach (var r in results)
            {
                var at = ToDbTime(r.VerifiedAt);
                await connection.ExecuteAsync(
                    $"INSERT INTO verifications ({VerificationColumns}) VALUES (@drv, @out, @recipe, @mode, @status, @expected, @actual, @method, @url, @detail, @at)",
                    tx, ct,
                    ("drv", r.DrvPath), ("out", r.OutputPath), ("recipe", r.RecipeHash), ("mode", r.HashMode), ("status", r.Status),
                    ("expected", r.Expected), ("actual", r.Actual), ("method", r.Method), ("url", r.Url), ("detail", r.Detail), ("at", at)).ConfigureAwait(false);
                if (r.Status == "skipped")
                {
                    continue;
                }
                var ok = r.Status == "ok";
                // A result older than the row (a late writer) must not roll liveness back.
                await connection.ExecuteAsync(
                    $"""
                    INSERT INTO fod_liveness ({LivenessColumns}) VALUES (@recipe, @hash, @mode, @drv, @status, @at, @okAt, @brokenAt, @actual, @url, @detail)
                    ON CONFLICT (recipe_hash, hash_sri, hash_mode) DO UPDATE SET drv_path = excluded.drv_path,
                        last_status = excluded.last_status, last_checked_at = excluded.last_checked_at,
                        last_ok_at = coalesce(excluded.last_ok_at, fod_liveness.last_ok_at),
                        broken_since = CASE WHEN excluded.last_status = 'ok' THEN NULL ELSE coalesce(fod_liveness.broken_since, excluded.broken_since) END,
                        actual = excluded.actual, url = excluded.url, detail = excluded.detail
                    WHERE excluded.last_checked_at >= fod_liveness.last_checked_at
                    """,
                    tx, ct,
                    ("recipe", r.RecipeHash), ("hash", r.Expected), ("mode", r.HashMode), ("drv", r.DrvPath), ("status", r.Status), ("at", at),
                    ("okAt", ok ? at : null), ("brokenAt", ok ? null : at), ("actual", r.Actual), ("url", r.Url), ("detail", r.Detail)).ConfigureAwait(false);
                if (!ok)
                {
                    continue;
                }
                await connection.ExecuteAsync(
                    $"""
                    INSERT INTO trusted_pairs ({TrustedPairColumns}) VALUES (@recipe, @hash, @mode, @drv, @method, @url, @at, @at)
                    ON CONFLICT (recipe_hash, hash_sri, hash_mode) DO UPDATE SET drv_path = excluded.drv_path,
                        method = excluded.method, url = excluded.url, last_verified_at = excluded.last_verified_at
                    """,
                    tx, ct,
                    ("recipe", r.RecipeHash), ("hash", r.Expected), ("mode", r.HashMode), ("drv", r.DrvPath), ("method", r.Method), ("url", r.Url), ("at", at)).ConfigureAwait(false);
            }
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return 0;
        }, cancellationToken);
    }

    public override Task<IReadOnlyList<TrustedPair>> FindTrustedPairsAsync(IReadOnlyCollection<string> recipeHashes, CancellationToken cancellationToken = default) =>
        FindByRecipeHashesAsync("reading trusted pairs", $"SELECT {TrustedPairColumns} FROM trusted_pairs WHERE", recipeHashes,
            r => new TrustedPair(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), NullableString(r, 5), ReadTime(r, 6), ReadTime(r, 7)),
            cancellationToken);

    public override Task<IReadOnlyList<FodLiveness>> FindLivenessAsync(IReadOnlyCollection<string> recipeHashes, CancellationToken cancellationToken = default) =>
        FindByRecipeHashesAsync("reading liveness", $"SELECT {LivenessColumns} FROM fod_liveness WHERE", recipeHashes, ReadLiveness, cancellationToken);

    /// <summary>The rows of a table keyed by FOD identity whose recipe hash is one of <paramref name="recipeHashes"/>.</summary>
    private async Task<IReadOnlyList<T>> FindByRecipeHashesAsync<T>(
        string what, string select, IReadOnlyCollection<string> recipeHashes, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipeHashes);
        var found = new List<T>();
        if (recipeHashes.Count == 0)
        {
            return found;
        }
        await GuardAsync(what, async ct =>
        {
            await using var connection = await OpenConnectionAsync(ct).ConfigureAwait(false);
            await QueryByKeysAsync(connection, select, "recipe_hash", recipeHashes, r => found.Add(read(r)), ct).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        return found;
    }

    public override Task<IReadOnlyList<FodLiveness>> ListBrokenAsync(CancellationToken cancellationToken = default) =>
        GuardAsync("reading broken sources", async ct =>
        {
            await using var connection = await OpenConnectionAsync(ct).ConfigureAwait(false);
            return await connection.QueryAsync(
                $"SELECT {LivenessColumns} FROM fod_liveness WHERE last_status <> 'ok' ORDER BY broken_since, drv_path",
                ReadLiveness, ct).ConfigureAwait(false);
        }, cancellationToken);

    private FodLiveness ReadLiveness(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), ReadTime(r, 5),
        r.IsDBNull(6) ? null : ReadTime(r, 6), r.IsDBNull(7) ? null : ReadTime(r, 7),
        NullableString(r, 8), NullableString(r, 9), NullableString(r, 10));

    public override Task<IReadOnlyList<TrustedFod>> ListTrustedFodsAsync(long revisionId, CancellationToken cancellationToken = default)
    {
        var pair = Rows.FodColumns.Length;
        return GuardAsync("listing trusted FODs", async ct =>
        {
            await using var connection = await OpenConnectionAsync(ct).ConfigureAwait(false);
            // The join is on the pair table's whole primary key, so each FOD matches at most one pair.
            return await connection.QueryAsync(
                $"SELECT {Rows.List(Rows.FodColumns, "f.")}, " +
                "tp.recipe_hash, tp.hash_sri, tp.hash_mode, tp.drv_path, tp.method, tp.url, tp.first_verified_at, tp.last_verified_at " +
                "FROM revision_members rf JOIN fods f ON f.drv_path = rf.drv_path " +
                "JOIN trusted_pairs tp ON tp.recipe_hash = f.recipe_hash AND tp.hash_sri = f.hash_sri AND tp.hash_mode = f.hash_mode " +
                "WHERE rf.revision_id = @revisionId ORDER BY rf.drv_path",
                r => new TrustedFod(Rows.ReadFod(r), new TrustedPair(
                    r.GetString(pair), r.GetString(pair + 1), r.GetString(pair + 2), r.GetString(pair + 3), r.GetString(pair + 4),
                    NullableString(r, pair + 5), ReadTime(r, pair + 6), ReadTime(r, pair + 7))),
                ct, ("revisionId", revisionId)).ConfigureAwait(false);
        }, cancellationToken);
    }

    public override Task<IReadOnlyList<VerificationRecord>> ListVerificationsAsync(string drvPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(drvPath);
        return GuardAsync("reading verification results", async ct =>
        {
            await using var connection = await OpenConnectionAsync(ct).ConfigureAwait(false);
            return await connection.QueryAsync(
                $"SELECT {VerificationColumns} FROM verifications WHERE drv_path = @drv ORDER BY verified_at, id",
                r => new VerificationRecord(
                    r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
                    NullableString(r, 6), r.GetString(7), NullableString(r, 8), NullableString(r, 9), ReadTime(r, 10)),
                ct, ("drv", drvPath)).ConfigureAwait(false);
        }, cancellationToken);
    }

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
