using Microsoft.Data.Sqlite;

namespace Vigil.Store.Provenance;

/// <summary>
/// Reads Nix's own database of a local store (<c>STATE/db/db.sqlite</c>) read-only: which paths
/// are valid (<c>ValidPaths</c>, with their <c>ca</c> and deriver) and which local derivations name
/// each as an output (<c>DerivationOutputs</c>). Nix keeps the file in WAL mode, so reading while
/// Nix writes is safe.
/// </summary>
public sealed class LocalStoreOrigins : IStoreObjectOrigins
{
    private readonly string databaseFile;

    public LocalStoreOrigins(StoreLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        databaseFile = Path.Combine(location.StateDirectory, "db", "db.sqlite");
        Description = $"the local store ({location.RealDirectory})";
    }

    public string Description { get; }

    public Task<IReadOnlyDictionary<string, StoreObjectOrigin>> FindAsync(IReadOnlyCollection<string> paths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var found = new Dictionary<string, StoreObjectOrigin>(StringComparer.Ordinal);
        // A store nothing was ever added to has no database yet: it holds nothing.
        if (paths.Count == 0 || !File.Exists(databaseFile))
        {
            return Task.FromResult<IReadOnlyDictionary<string, StoreObjectOrigin>>(found);
        }
        try
        {
            var builder = new SqliteConnectionStringBuilder { DataSource = databaseFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
            using var connection = new SqliteConnection(builder.ToString());
            connection.Open();
            using var valid = connection.CreateCommand();
            valid.CommandText = "SELECT ca, deriver FROM ValidPaths WHERE path = $path";
            var validPath = valid.Parameters.Add("$path", SqliteType.Text);
            using var outputs = connection.CreateCommand();
            outputs.CommandText = "SELECT d.path FROM DerivationOutputs o JOIN ValidPaths d ON d.id = o.drv WHERE o.path = $path ORDER BY d.path";
            var outputPath = outputs.Parameters.Add("$path", SqliteType.Text);
            foreach (var path in paths)
            {
                cancellationToken.ThrowIfCancellationRequested();
                validPath.Value = path;
                string? ca;
                string? deriver;
                using (var reader = valid.ExecuteReader())
                {
                    if (!reader.Read())
                    {
                        continue;
                    }
                    ca = reader.IsDBNull(0) ? null : reader.GetString(0);
                    deriver = reader.IsDBNull(1) ? null : reader.GetString(1);
                }
                outputPath.Value = path;
                var derivations = new List<string>();
                using (var reader = outputs.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        derivations.Add(reader.GetString(0));
                    }
                }
                found[path] = new StoreObjectOrigin(path, "local store", NullIfEmpty(ca), NullIfEmpty(deriver), derivations);
            }
        }
        catch (SqliteException ex)
        {
            throw new StoreException($"cannot read Nix's store database {databaseFile}: {ex.Message} (is it readable by this user?)", ex);
        }
        return Task.FromResult<IReadOnlyDictionary<string, StoreObjectOrigin>>(found);
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
