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
        SqliteMigrations.Value.Count == PostgresMigrations.Value.Count
            ? SqliteMigrations.Value.Count
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
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException($"{dialect} migrations must be numbered 1, 2, 3… without gaps; found {migrations[i].Version} at position {i + 1}");
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
