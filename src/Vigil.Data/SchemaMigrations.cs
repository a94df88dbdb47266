using System.Globalization;
using System.Reflection;

namespace Vigil.Data;

/// <summary>One step of the schema: its version and the dialect's SQL that takes the previous version to it.</summary>
internal sealed record SchemaMigration(int Version, string Description, string Sql);

/// <summary>
/// The versioned migrations embedded in this assembly as <c>migrations/{dialect}/NNNN_description.sql</c>.
/// Both dialects carry the same versions; the tests hold their tables and columns equal.
/// </summary>
internal static class SchemaMigrations
{
    private static readonly Lazy<IReadOnlyList<SchemaMigration>> SqliteMigrations = new(() => Load("sqlite"));
    private static readonly Lazy<IReadOnlyList<SchemaMigration>> PostgresMigrations = new(() => Load("postgres"));

    /// <summary>The newest schema version this code knows.</summary>
    public static int Latest =>
        SqliteMigrations.Value.Select(m => m.Version).SequenceEqual(PostgresMigrations.Value.Select(m => m.Version))
            ? SqliteMigrations.Value.Count == 0 ? 0 : SqliteMigrations.Value[^1].Version
            : throw new InvalidOperationException("the sqlite and postgres migrations must have the same versions");

    public static IReadOnlyList<SchemaMigration> For(DatabaseKind kind) =>
        kind == DatabaseKind.Sqlite ? SqliteMigrations.Value : PostgresMigrations.Value;

    private static List<SchemaMigration> Load(string dialect)
    {
        var assembly = typeof(SchemaMigrations).Assembly;
        var prefix = $"migrations/{dialect}/";
        var migrations = new List<SchemaMigration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(prefix, StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }
            var file = resource[prefix.Length..^".sql".Length];
            var underscore = file.IndexOf('_', StringComparison.Ordinal);
            if (underscore <= 0 || !int.TryParse(file.AsSpan(0, underscore), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"migration resource '{resource}' is not named NNNN_description.sql");
            }
            migrations.Add(new SchemaMigration(version, file[(underscore + 1)..], Read(assembly, resource)));
        }
        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        // Versions are unique and start at 1. Gaps are allowed: branches that add independent tables
        // take distinct numbers ahead of time, and the migrator applies every version a database
        // has not recorded, so a later-merged lower number still reaches databases already past it.
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version < 1 || (i > 0 && migrations[i].Version == migrations[i - 1].Version) || (i == 0 && migrations[i].Version != 1))
            {
                throw new InvalidOperationException($"{dialect} migrations must be numbered from 1 upwards, each version once; found {migrations[i].Version} at position {i + 1}");
            }
        }
        return migrations;
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"migration resource '{resource}' is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
