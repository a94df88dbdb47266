using Vigil.Nix.Fetchers;

namespace Vigil.Data;

/// <summary>
/// Vigil's persistence: one schema on SQLite (embedded default, <c>./vigil.db</c>) or PostgreSQL.
/// FOD records are immutable and shared by all revisions; a revision is its roots, its FOD
/// membership, its evaluation errors and its derivation graph, replaced atomically on rescan.
/// </summary>
public abstract class VigilDatabase : IAsyncDisposable
{
    /// <summary>
    /// Opens (and migrates) a database: null or empty = SQLite <c>./vigil.db</c>; a path or
    /// <c>sqlite:PATH</c> = SQLite; <c>postgres://…</c>/<c>postgresql://…</c> or an Npgsql connection
    /// string (<c>Host=…</c>) = PostgreSQL.
    /// </summary>
    /// <exception cref="VigilDatabaseException">The connection string is malformed, the database
    /// cannot be reached or opened, or its schema is newer than this code knows.</exception>
    public static Task<VigilDatabase> OpenAsync(string? connection, CancellationToken cancellationToken = default) =>
        OpenAsync(connection, TimeProvider.System, cancellationToken);

    /// <summary>As <see cref="OpenAsync(string?, CancellationToken)"/>, with the clock that stamps saved revisions.</summary>
    public static async Task<VigilDatabase> OpenAsync(string? connection, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        var location = DatabaseLocation.Parse(connection);
        return location.Kind switch
        {
            DatabaseKind.Sqlite => await SqliteVigilDatabase.OpenAsync(location, timeProvider, cancellationToken).ConfigureAwait(false),
            _ => await PostgresVigilDatabase.OpenAsync(location, timeProvider, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>
    /// How many derivation graphs are kept: those of the most recently scanned revisions that have
    /// one. A graph is the whole closure (about 3 MB for 41k derivations), and <c>vigil scan</c>
    /// names each run anew by default, so keeping every one would grow the database by a closure a
    /// scan. Rescans need only the newest; an older revision keeps its FODs, and its vulnerability
    /// inventory falls back to its roots.
    /// </summary>
    public const int KeptGraphs = 20;

    /// <summary>For messages: which database this is, without passwords.</summary>
    public abstract string Description { get; }

    /// <summary>
    /// Every stored FOD record, of any revision ever scanned (replaced revisions included, since
    /// records are immutable), whose SRI hash is one of <paramref name="hashes"/>, each with the
    /// name of the earliest-scanned revision that still lists it (null when none does). This is
    /// the history the poisoning detectors compare a new FOD's hash against.
    /// </summary>
    public abstract Task<IReadOnlyList<HistoricFod>> FindFodsByHashAsync(IReadOnlyCollection<string> hashes, CancellationToken cancellationToken = default);

    /// <summary>Stores FOD records; ones already stored are left as they are (records are immutable). One transaction.</summary>
    public abstract Task WriteFodsAsync(IReadOnlyList<FodRecord> fods, CancellationToken cancellationToken = default);

    /// <summary>
    /// The derivation graph stored with the most recently scanned revision that has one (scans of
    /// <c>.drv</c> files store one; read-only scans do not), or null when none has.
    /// </summary>
    /// <exception cref="VigilDatabaseException">The stored graph is corrupt.</exception>
    public abstract Task<RevisionGraph?> LoadLatestGraphAsync(CancellationToken cancellationToken = default);

    /// <summary>The derivation graph stored with a revision, or null when it has none (a read-only scan, or one pruned: see <see cref="KeptGraphs"/>).</summary>
    /// <exception cref="VigilDatabaseException">The stored graph is corrupt.</exception>
    public abstract Task<RevisionGraph?> LoadGraphAsync(long revisionId, CancellationToken cancellationToken = default);

    /// <summary>The stored FOD records among <paramref name="drvPaths"/>.</summary>
    public abstract Task<IReadOnlyDictionary<string, FodRecord>> FindFodsAsync(IReadOnlyCollection<string> drvPaths, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates or replaces (same name) a revision with its roots, FOD membership and errors, atomically.
    /// A replaced revision keeps its id, and its graph is replaced by <paramref name="graph"/> (none when null);
    /// saving a graph drops the graphs beyond the <see cref="KeptGraphs"/> newest.
    /// Every FOD named must already be stored (<see cref="WriteFodsAsync"/>),
    /// else nothing is saved and a <see cref="VigilDatabaseException"/> says so; a root attribute or FOD listed
    /// twice is an <see cref="ArgumentException"/>. ScannedAt is the clock's now, to the microsecond.
    /// </summary>
    public abstract Task<RevisionInfo> SaveRevisionAsync(string name, string target, IReadOnlyList<RevisionRoot> roots, IReadOnlyList<RevisionFod> fods, IReadOnlyList<EvalErrorRecord> errors, RevisionGraph? graph = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a revision with its roots, FOD membership and errors (the FOD records stay: other
    /// revisions share them). False when there is no such revision.
    /// </summary>
    public abstract Task<bool> DeleteRevisionAsync(long revisionId, CancellationToken cancellationToken = default);

    /// <summary>All revisions, oldest scan first.</summary>
    public abstract Task<IReadOnlyList<RevisionInfo>> ListRevisionsAsync(CancellationToken cancellationToken = default);

    public abstract Task<RevisionInfo?> FindRevisionAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>A revision's FODs in drv-path order (UTF-8 byte order, the same on every dialect); empty for an unknown id.</summary>
    public abstract Task<IReadOnlyList<StoredFod>> ListFodsAsync(long revisionId, CancellationToken cancellationToken = default);

    /// <summary>A revision's FODs as <see cref="SourceFod"/>s (drv path, name, URLs, attributes), in drv-path order like <see cref="ListFodsAsync"/>; empty for an unknown id.</summary>
    public abstract Task<IReadOnlyList<SourceFod>> ListSourceFodsAsync(long revisionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The FODs of <paramref name="revisionId"/> that <paramref name="otherRevisionId"/> does not have
    /// with the same output path and recipe, in drv-path order: one side of a diff, computed by the
    /// database so that the (usually many) unchanged FODs are never read.
    /// </summary>
    public abstract Task<IReadOnlyList<StoredFod>> ListFodsNotInAsync(long revisionId, long otherRevisionId, CancellationToken cancellationToken = default);

    /// <summary>The FODs of a revision whose output path is one of <paramref name="outputPaths"/>, in drv-path order.</summary>
    public abstract Task<IReadOnlyList<StoredFod>> FindFodsByOutputPathAsync(long revisionId, IReadOnlyCollection<string> outputPaths, CancellationToken cancellationToken = default);

    /// <summary>A revision's roots in attribute order (UTF-8 byte order).</summary>
    public abstract Task<IReadOnlyList<RevisionRoot>> ListRootsAsync(long revisionId, CancellationToken cancellationToken = default);

    /// <summary>A revision's evaluation errors in attribute, then message order (UTF-8 byte order).</summary>
    public abstract Task<IReadOnlyList<EvalErrorRecord>> ListEvalErrorsAsync(long revisionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores verification results, in one transaction: each as a row of the FOD's history, each not
    /// skipped into its identity's liveness, and each <c>ok</c> one also into the trust database (its
    /// pair's first verification time is kept, the rest says how it was confirmed last).
    /// </summary>
    public abstract Task SaveVerificationsAsync(IReadOnlyList<VerificationRecord> results, CancellationToken cancellationToken = default);

    /// <summary>The trusted pairs whose recipe hash is one of <paramref name="recipeHashes"/>.</summary>
    public abstract Task<IReadOnlyList<TrustedPair>> FindTrustedPairsAsync(IReadOnlyCollection<string> recipeHashes, CancellationToken cancellationToken = default);

    /// <summary>The liveness rows whose recipe hash is one of <paramref name="recipeHashes"/>.</summary>
    public abstract Task<IReadOnlyList<FodLiveness>> FindLivenessAsync(IReadOnlyCollection<string> recipeHashes, CancellationToken cancellationToken = default);

    /// <summary>Every FOD identity whose latest verification failed: the sources broken now, longest broken first.</summary>
    public abstract Task<IReadOnlyList<FodLiveness>> ListBrokenAsync(CancellationToken cancellationToken = default);
    /// <summary>
    /// The FODs of a revision whose (recipe hash, hash, mode) pair is trusted, each with its pair, in
    /// drv-path order (UTF-8 byte order): what <c>vigil attest</c> may sign. FODs never verified ok
    /// are left out; an unknown revision id gives an empty list.
    /// </summary>
    public abstract Task<IReadOnlyList<TrustedFod>> ListTrustedFodsAsync(long revisionId, CancellationToken cancellationToken = default);

    /// <summary>Every stored verification of <paramref name="drvPath"/>, oldest first.</summary>
    public abstract Task<IReadOnlyList<VerificationRecord>> ListVerificationsAsync(string drvPath, CancellationToken cancellationToken = default);

    /// <summary>The build farm's tables: jobsets, evaluations, builds, steps and what the queue runner records.</summary>
    public abstract Farm.FarmDatabase Farm { get; }
    /// <summary>The identity and content hash of every stored vulnerability feed record.</summary>
    public abstract Task<IReadOnlyList<VulnRecordKey>> ListVulnRecordKeysAsync(CancellationToken cancellationToken = default);

    /// <summary>Every stored vulnerability feed record, by source and id.</summary>
    public abstract Task<IReadOnlyList<VulnRecordRow>> ListVulnRecordsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores feed records in one transaction (bulk: SQLite prepared inserts, PostgreSQL binary COPY),
    /// replacing stored ones with the same source and id. A record listed twice is an <see cref="ArgumentException"/>.
    /// </summary>
    public abstract Task UpsertVulnRecordsAsync(IReadOnlyList<VulnRecordRow> records, CancellationToken cancellationToken = default);

    /// <summary>Stores triage rules in one transaction, replacing stored ones with the same (CVE, package, version).</summary>
    public abstract Task SaveVulnTriageAsync(IReadOnlyList<VulnTriageRule> rules, CancellationToken cancellationToken = default);

    /// <summary>Every stored triage rule, expired ones included, by CVE, package and version.</summary>
    public abstract Task<IReadOnlyList<VulnTriageRule>> ListVulnTriageAsync(CancellationToken cancellationToken = default);

    public abstract ValueTask DisposeAsync();
}
