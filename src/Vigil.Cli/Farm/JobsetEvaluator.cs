using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Vigil.Cli.Commands;
using Vigil.Data;
using Vigil.Data.Farm;
using Vigil.Farm.Graph;
using Vigil.Store;
using Vigil.Store.Provenance;

namespace Vigil.Cli.Farm;

/// <summary>
/// One evaluation of a jobset, the same for <c>vigil eval</c> and the server's periodic checks: the
/// scanner instantiates the expression into the server's store and records its FODs as revision
/// <c>jobset:NAME@TIME</c>; each top-level attribute is a job. Then:
/// <list type="bullet">
/// <item>nothing evaluated (every attribute failed) or the evaluation threw: a failed evaluation is
/// stored with its error (the exception is rethrown), and the jobset waits a whole interval;</item>
/// <item>the job → drv path pairs (and the attributes that failed) are those of the jobset's last
/// successful evaluation: <b>unchanged</b> — no evaluation row, no builds, and the new revision is
/// deleted (it repeats the previous one), so periodic checks of a quiet expression pile up nothing
/// (Hydra also only records that the jobset was checked);</item>
/// <item>otherwise an evaluation is stored, queueing a build for each job whose outputs are not all in
/// the store and that has no build of the same job and drv path in the jobset already (unfinished,
/// succeeded or failed for the derivation's sake: Hydra keeps those; aborted or cancelled ones are
/// queued again).</item>
/// </list>
/// </summary>
internal sealed class JobsetEvaluator(CliContext context, VigilDatabase database, string? storeUri, bool showProgress)
{
    /// <summary>How many recent evaluations are searched for the last successful one.</summary>
    private const int RecentEvaluations = 50;

    public async Task<JobsetEvaluation> EvaluateAsync(JobsetRecord jobset, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(jobset);
        var location = CommonOptions.ResolveStore(storeUri);
        var revision = $"jobset:{jobset.Name}@{DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)}";
        Vigil.Fod.Scanning.ScanResult scan;
        try
        {
            var (evaluator, target) = ScanCommands.ChooseEvaluator(jobset.ExprFile, jobset.Attr, null, null, "instantiate", null, 1, [], storeUri, location);
            scan = await ScanCommands.ScanAsync(context, database, location, evaluator, target, revision, ct, showProgress).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await RecordFailureAsync(jobset, ScanCommands.FirstLine(e.Message), ct).ConfigureAwait(false);
            throw;
        }
        var roots = await database.ListRootsAsync(scan.Revision.Id, ct).ConfigureAwait(false);
        if (roots.Count == 0 && scan.Errors.Count > 0)
        {
            // The evaluation's row keeps the error; a revision of errors only would pile up at every check.
            await database.DeleteRevisionAsync(scan.Revision.Id, ct).ConfigureAwait(false);
            var first = scan.Errors[0];
            var failed = await database.Farm.AddFailedEvaluationAsync(jobset.Id, $"{first.Attr}: {ScanCommands.FirstLine(first.Message)}", ct).ConfigureAwait(false);
            return new JobsetEvaluation(jobset, failed.Id, null, null, 0, 0, 0, 0, 0, [], scan.Errors, failed.Error);
        }
        var reader = new DerivationReader(location);
        var jobs = roots.Select(r =>
        {
            var drv = reader.Read(r.DrvPath);
            return new NewBuild(r.Attr, r.DrvPath, StoreDrvSource.Info(r.DrvPath, drv).System, [.. drv.Outputs.Select(x => new OutputPath(x.Name, x.Path.Length == 0 ? null : x.Path))],
                MaxSilent: Seconds(drv, "maxSilent"u8) ?? 3600, Timeout: Seconds(drv, "timeout"u8) ?? 36000);
        }).ToList();
        var hash = JobsHash(jobs, scan.Errors);
        var existing = await ExistingBuildsAsync(jobset.Id, ct).ConfigureAwait(false);
        var previous = (await database.Farm.ListEvaluationsAsync(jobset.Id, RecentEvaluations, ct).ConfigureAwait(false)).FirstOrDefault(e => e.JobsHash is not null);
        if (previous is not null && previous.JobsHash == hash)
        {
            await database.DeleteRevisionAsync(scan.Revision.Id, ct).ConfigureAwait(false);
            await database.Farm.MarkJobsetCheckedAsync(jobset.Id, ct).ConfigureAwait(false);
            List<long> current = [.. jobs.Select(j => existing.GetValueOrDefault((j.Job, j.DrvPath))?.Id ?? 0).Where(id => id != 0)];
            return new JobsetEvaluation(jobset, null, previous.Id, previous.Revision, jobs.Count, 0, 0, 0, scan.Revision.FodCount, current, scan.Errors, null);
        }
        var present = await new LocalStoreOrigins(location).FindAsync([.. jobs.SelectMany(j => j.Outputs).Where(x => x.Path is not null).Select(x => x.Path!)], ct).ConfigureAwait(false);
        var queued = new List<NewBuild>();
        var kept = new List<long>();
        var built = 0;
        foreach (var job in jobs)
        {
            if (job.Outputs.All(x => x.Path is not null && present.ContainsKey(x.Path)))
            {
                built++;
            }
            else if (existing.GetValueOrDefault((job.Job, job.DrvPath)) is { } build && !(build.Finished && build.Status is BuildStatus.Aborted or BuildStatus.Cancelled))
            {
                kept.Add(build.Id);
            }
            else
            {
                queued.Add(job);
            }
        }
        var evaluation = await database.Farm.AddEvaluationAsync(jobset.Id, queued, hash, revision, ct).ConfigureAwait(false);
        return new JobsetEvaluation(jobset, evaluation.Id, null, revision, jobs.Count, queued.Count, built, kept.Count, scan.Revision.FodCount,
            [.. evaluation.BuildIds, .. kept], scan.Errors, null);
    }

    /// <summary>Stores a failed evaluation; a database that cannot take it is left to the caller's error, which matters more.</summary>
    private async Task RecordFailureAsync(JobsetRecord jobset, string error, CancellationToken ct)
    {
        try
        {
            await database.Farm.AddFailedEvaluationAsync(jobset.Id, error, ct).ConfigureAwait(false);
        }
        catch (VigilDatabaseException)
        {
        }
    }

    /// <summary>The jobset's latest build of each job and drv path.</summary>
    private async Task<Dictionary<(string Job, string DrvPath), BuildRecord>> ExistingBuildsAsync(long jobsetId, CancellationToken ct)
    {
        var builds = new Dictionary<(string, string), BuildRecord>();
        foreach (var b in await database.Farm.ListJobsetBuildsAsync(jobsetId, ct).ConfigureAwait(false))
        {
            builds[(b.Job, b.DrvPath)] = b; // oldest first: the latest wins
        }
        return builds;
    }

    /// <summary>
    /// SHA-256 of the sorted job → drv path pairs and the names of the attributes that failed (not their
    /// messages, which may name temporary paths): equal exactly when an evaluation would add nothing.
    /// </summary>
    internal static string JobsHash(IEnumerable<NewBuild> jobs, IEnumerable<EvalErrorRecord> errors)
    {
        var lines = jobs.Select(j => $"{j.Job}\0{j.DrvPath}\n").Concat(errors.Select(e => $"!{e.Attr}\n")).Order(StringComparer.Ordinal);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(lines))));
    }

    /// <summary>
    /// A job's limit in seconds from its derivation's own attribute (<c>timeout</c>, <c>maxSilent</c>):
    /// Hydra reads them from <c>meta</c>, which a .drv does not carry, so Vigil asks the derivation.
    /// </summary>
    private static int? Seconds(Vigil.Nix.Derivations.Derivation drv, ReadOnlySpan<byte> name) =>
        drv.GetEnv(name) is { } value && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? seconds : null;
}
