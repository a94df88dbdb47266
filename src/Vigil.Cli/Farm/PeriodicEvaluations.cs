using System.Globalization;
using Vigil.Cli.Commands;
using Vigil.Data;
using Vigil.Data.Farm;

namespace Vigil.Cli.Farm;

/// <summary>
/// The server's periodic evaluations (Hydra's evaluator, <c>checkinterval</c>): evaluates the jobsets
/// that are due (<see cref="FarmDatabase.ListDueJobsetsAsync"/>) one at a time with the same
/// <see cref="JobsetEvaluator"/> as <c>vigil eval</c>, then sleeps until the next one is due, looking
/// again at least every <see cref="PollInterval"/> (jobsets added or changed by other processes). The
/// builds it queues reach the running queue runner like any others. A failed evaluation is logged
/// (and stored) and tried again at the next interval; nothing it meets stops the loop but
/// <see cref="StopAsync"/>, which cancels a running evaluation (its Nix process is killed).
/// </summary>
internal sealed class PeriodicEvaluations : IAsyncDisposable
{
    /// <summary>The longest sleep between looks at the jobsets.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan ShortestSleep = TimeSpan.FromMilliseconds(200);

    private readonly JobsetEvaluator evaluator;
    private readonly FarmDatabase farm;
    private readonly TextWriter log;
    private readonly string prefix;
    private readonly TimeProvider time;
    private readonly CancellationTokenSource stop = new();
    private Task? running;

    private PeriodicEvaluations(JobsetEvaluator evaluator, FarmDatabase farm, TextWriter log, string prefix, TimeProvider time)
    {
        this.evaluator = evaluator;
        this.farm = farm;
        this.log = log;
        this.prefix = prefix;
        this.time = time;
    }

    /// <summary>Starts the loop; lines go to <paramref name="log"/> as <c>PREFIX: evaluation …</c>.</summary>
    public static PeriodicEvaluations Start(JobsetEvaluator evaluator, VigilDatabase database, TextWriter log, string prefix, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        var loop = new PeriodicEvaluations(evaluator, database.Farm, log, prefix, time ?? TimeProvider.System);
        loop.running = Task.Run(() => loop.RunAsync(loop.stop.Token));
        return loop;
    }

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var sleep = PollInterval;
            try
            {
                foreach (var jobset in await farm.ListDueJobsetsAsync(time.GetUtcNow(), ct).ConfigureAwait(false))
                {
                    await EvaluateAsync(jobset, ct).ConfigureAwait(false);
                }
                sleep = await UntilNextDueAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // The database went away (or refused, or timed out): say so and look again after a poll interval.
                await WriteAsync($"periodic evaluations: {e.Message}").ConfigureAwait(false);
            }
            try
            {
                await Task.Delay(sleep, time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task EvaluateAsync(JobsetRecord jobset, CancellationToken ct)
    {
        JobsetEvaluation result;
        try
        {
            result = await evaluator.EvaluateAsync(jobset, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Whatever the expression (or Nix) did, the loop goes on; the failure is stored by the evaluator.
            await WriteAsync($"evaluation of {jobset.Name} failed: {ScanCommands.FirstLine(e.Message)}").ConfigureAwait(false);
            return;
        }
        foreach (var error in result.Errors)
        {
            await WriteAsync($"evaluation of {jobset.Name}: error: {error.Attr}: {ScanCommands.FirstLine(error.Message)}").ConfigureAwait(false);
        }
        await WriteAsync(result.Describe()).ConfigureAwait(false);
    }

    /// <summary>Until the soonest next check of a periodic jobset, between a short nap and the poll interval.</summary>
    private async Task<TimeSpan> UntilNextDueAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var next = now + PollInterval;
        foreach (var j in await farm.ListJobsetsAsync(ct).ConfigureAwait(false))
        {
            if (j.Enabled && j.CheckInterval > 0)
            {
                var due = (j.LastCheckedAt ?? now) + TimeSpan.FromSeconds(j.CheckInterval);
                next = due < next ? due : next;
            }
        }
        var sleep = next - now;
        return sleep < ShortestSleep ? ShortestSleep : sleep;
    }

    private async Task WriteAsync(string line)
    {
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{prefix}: {line}")).ConfigureAwait(false);
        await log.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>Stops the loop, cancelling an evaluation that is running, and waits for it.</summary>
    public async Task StopAsync()
    {
        if (running is null)
        {
            return;
        }
        await stop.CancelAsync().ConfigureAwait(false);
        await running.ConfigureAwait(false);
        running = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        stop.Dispose();
    }
}
