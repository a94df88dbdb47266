using Vigil.Data;

namespace Vigil.Fod.Attestation;

/// <summary>
/// What a revision can attest: its FODs whose (recipe, hash, mode) pair is trusted, and how many of
/// its FODs are left out because theirs is not (never verified, or not verified ok).
/// </summary>
public sealed record AttestationExport(RevisionInfo Revision, IReadOnlyList<AttestedFod> Fods, int LeftOut)
{
    /// <summary>Suffix of the files <c>vigil attest --per-fod</c> writes.</summary>
    public const string PerFodSuffix = ".attestation.json";

    public static async Task<AttestationExport> CollectAsync(VigilDatabase database, RevisionInfo revision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(revision);
        var trusted = await database.ListTrustedFodsAsync(revision.Id, cancellationToken).ConfigureAwait(false);
        var fods = trusted.Select(AttestedFod.From).ToList();
        return new AttestationExport(revision, fods, Math.Max(0, revision.FodCount - fods.Count));
    }

    /// <summary>One statement of every attested FOD.</summary>
    public AttestationStatement Bundle(DateTimeOffset issuedAt, string issuer) => new(Revision.Name, issuedAt, issuer, Fods);

    /// <summary>One statement per FOD, with the file name each goes under: the drv's base name without <c>.drv</c>, unique within a revision.</summary>
    public IEnumerable<(string FileName, AttestationStatement Statement)> PerFod(DateTimeOffset issuedAt, string issuer) =>
        Fods.Select(f => (FileName(f), new AttestationStatement(Revision.Name, issuedAt, issuer, [f])));

    public static string FileName(AttestedFod fod)
    {
        ArgumentNullException.ThrowIfNull(fod);
        var name = Path.GetFileName(fod.DrvPath);
        return (name.EndsWith(".drv", StringComparison.Ordinal) ? name[..^4] : name) + PerFodSuffix;
    }
}
