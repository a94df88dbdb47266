using System.Globalization;
using Vigil.Data;
using Vigil.Data.Farm;

namespace Vigil.Cli.Farm;

/// <summary>
/// What one evaluation of a jobset came to. <see cref="EvaluationId"/> is the stored evaluation (null
/// when it was unchanged: nothing is stored, <see cref="UnchangedSince"/> names the evaluation it
/// equals). <see cref="BuildIds"/> are the builds of its jobs: queued now or kept from earlier
/// evaluations (a job whose outputs are all in the store has none). <see cref="Error"/> is set when
/// nothing could be evaluated.
/// </summary>
internal sealed record JobsetEvaluation(
    JobsetRecord Jobset,
    long? EvaluationId,
    long? UnchangedSince,
    string? Revision,
    int Jobs,
    int Queued,
    int AlreadyBuilt,
    int Kept,
    int FodCount,
    IReadOnlyList<long> BuildIds,
    IReadOnlyList<EvalErrorRecord> Errors,
    string? Error)
{
    /// <summary>The one line <c>vigil eval</c> and <c>vigil serve</c> print for it.</summary>
    public string Describe() =>
        Error is not null ? string.Create(CultureInfo.InvariantCulture, $"evaluation {EvaluationId} of {Jobset.Name} failed: {Error}")
        : UnchangedSince is { } since ? string.Create(CultureInfo.InvariantCulture,
            $"evaluation of {Jobset.Name} unchanged since evaluation {since}: {Jobs} jobs, nothing queued")
        : string.Create(CultureInfo.InvariantCulture,
            $"evaluation {EvaluationId} of {Jobset.Name}: {Jobs} jobs, {Queued} queued, {AlreadyBuilt} already built{(Kept > 0 ? $", {Kept} kept from earlier evaluations" : "")}; {FodCount} FODs in revision {Revision}");
}
