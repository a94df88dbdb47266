using System.Threading.Channels;

namespace Vigil.Store.Evaluation;

/// <summary>
/// One evaluation of a target through the walker: lists the roots, deals them into
/// <see cref="EvaluatorOptions.Jobs"/> groups run in parallel, and isolates failures.
/// <c>builtins.tryEval</c> catches <c>throw</c> and <c>assert</c> per attribute but hides the
/// message, so those attributes are re-evaluated alone to get it. Any other error (abort, missing
/// attribute, type error) kills the whole process: the walker's last announcement on stderr names
/// the attribute, which is reported and skipped in a re-run of the group; should the error name
/// none, the group is split in halves and re-run until the failing attribute stands alone
/// (descending into <c>recurseForDerivations</c> sets).
/// </summary>
internal sealed class WalkerRun
{
    private readonly NixWalker walker;
    private readonly string mode;
    private readonly bool readWrite;
    private readonly EvaluatorOptions options;
    private readonly ChannelWriter<EvalEvent> output;
    private readonly SemaphoreSlim gate;
    private int rerunBudget;

    public WalkerRun(NixWalker walker, string mode, bool readWrite, EvaluatorOptions options, ChannelWriter<EvalEvent> output)
    {
        options.Validate();
        this.walker = walker;
        this.mode = mode;
        this.readWrite = readWrite;
        this.options = options;
        this.output = output;
        gate = new SemaphoreSlim(options.Jobs);
        // Enough re-runs to isolate a few dozen bad attributes in a nixpkgs-sized set; a failure of
        // everything (out of memory, a broken Nix) must not turn into tens of thousands of processes.
        rerunBudget = 256 + (16 * options.Jobs);
    }

    public WalkerSink Sink { get; } = new();

    /// <summary>
    /// The events of one walker evaluation of <paramref name="target"/>: every root, or only the
    /// given attributes (names as reported, below the target's own attribute).
    /// </summary>
    public static IAsyncEnumerable<EvalEvent> Stream(
        NixProcess nix,
        EvaluatorOptions options,
        EvalTarget target,
        string mode,
        bool readWrite,
        IEnumerable<string>? attrs,
        CancellationToken cancellationToken) =>
        EventPump.Run(async (writer, ct) =>
        {
            using var walker = new NixWalker(nix, target);
            var paths = attrs?.Select(a => (IReadOnlyList<string>)walker.RelativePath(a)).ToList();
            await new WalkerRun(walker, mode, readWrite, options, writer).RunAsync(paths, ct).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>Evaluates the given paths below the target, or (null) every root of the target.</summary>
    public async Task RunAsync(IReadOnlyList<IReadOnlyList<string>>? paths, CancellationToken cancellationToken)
    {
        // One process takes the target whole (the walker finds its roots as nix-instantiate does), which
        // spares a second evaluation of the expression just to list them (0.9 s on the bench set);
        // the roots are listed only to be dealt to several processes, or to split a failure.
        paths ??= options.Jobs == 1 ? [Array.Empty<string>()] : await ListRootsAsync(cancellationToken).ConfigureAwait(false);
        var groups = Enumerable.Range(0, Math.Min(options.Jobs, paths.Count))
            .Select(g => (IReadOnlyList<IReadOnlyList<string>>)paths.Where((_, i) => i % options.Jobs == g).ToList())
            .ToList();
        await Task.WhenAll(groups.Select(g => RunGroupAsync(g, [], cancellationToken))).ConfigureAwait(false);
        await ReportCaughtAsync(cancellationToken).ConfigureAwait(false);
        if (mode == "walk")
        {
            await ReportUnresolvedAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<IReadOnlyList<string>>> ListRootsAsync(CancellationToken cancellationToken)
    {
        // A target that cannot even be listed (missing file, syntax error) fails as a whole.
        var top = await walker.NamesAsync([], cancellationToken).ConfigureAwait(false);
        switch (top.Kind)
        {
            case "drv":
                return [Array.Empty<string>()];
            case "set" or "list":
                return top.Names.Select(n => (IReadOnlyList<string>)new[] { n }).ToList();
            default:
                var attr = walker.AttrName([]);
                if (Sink.TryReport(attr))
                {
                    await output.WriteAsync(new AttrFailed(attr, WalkerSink.NotDerivations), cancellationToken).ConfigureAwait(false);
                }
                return [];
        }
    }

    private async Task RunGroupAsync(IReadOnlyList<IReadOnlyList<string>> paths, IReadOnlyCollection<string> known, CancellationToken cancellationToken)
    {
        var skip = new List<string>(known);
        NixProcessException? failure;
        while (true)
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                failure = await TryRunAsync(paths, skip, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
            if (failure is null)
            {
                return;
            }
            if (failure.ExitCode > 128 || Interlocked.Decrement(ref rerunBudget) < 0)
            {
                // Killed by a signal (the OOM killer) or failing over and over: re-running would not help.
                foreach (var path in paths)
                {
                    await FailAsync(path, $"not evaluated, its batch failed: {failure.NixMessage}", cancellationToken).ConfigureAwait(false);
                }
                return;
            }
            var culprit = NixWalker.Culprit(failure.StderrTail);
            // A target taken whole is announced first: an error there (a missing file, a syntax
            // error) is the target's own, and listing its roots says so, as when it is listed first.
            var wholeTarget = paths is [{ Count: 0 }] && culprit == walker.AttrName([]);
            if (culprit is null || skip.Contains(culprit) || wholeTarget)
            {
                break;
            }
            skip.Add(culprit);
            await FailAsync(culprit, failure.NixMessage, cancellationToken).ConfigureAwait(false);
        }

        // The error did not name its attribute: split the group until it stands alone.
        if (paths.Count > 1)
        {
            var half = paths.Count / 2;
            await Task.WhenAll(
                RunGroupAsync(paths.Take(half).ToList(), skip, cancellationToken),
                RunGroupAsync(paths.Skip(half).ToList(), skip, cancellationToken)).ConfigureAwait(false);
            return;
        }
        var single = paths[0];
        var children = single.Count > 0
            ? await ChildrenAsync(single, cancellationToken).ConfigureAwait(false)
            : await TopChildrenAsync(cancellationToken).ConfigureAwait(false);
        if (children is { Count: > 0 })
        {
            await RunGroupAsync(children, skip, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await FailAsync(single, failure.NixMessage, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<NixProcessException?> TryRunAsync(IReadOnlyList<IReadOnlyList<string>> paths, IReadOnlyCollection<string> skip, CancellationToken cancellationToken)
    {
        var batch = new List<EvalEvent>();
        try
        {
            await walker.RunAsync(mode, paths, skip, readWrite, strict: false, (stream, ct) =>
                JsonRecordReader.ReadAsync(stream, (section, record) => Sink.Handle(section, record, batch), () => FlushAsync(batch, ct), ct),
                cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (NixProcessException e) when (!cancellationToken.IsCancellationRequested)
        {
            await FlushAsync(batch, cancellationToken).ConfigureAwait(false);
            return e;
        }
    }

    /// <summary>
    /// The roots of a target taken whole, to split a failure that named no attribute: null when the
    /// target is one derivation (nothing to split). A target that cannot even be listed fails as a whole.
    /// </summary>
    private async Task<List<IReadOnlyList<string>>?> TopChildrenAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var roots = await ListRootsAsync(cancellationToken).ConfigureAwait(false);
            return roots.Any(r => r.Count > 0) ? [.. roots] : null;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The members of a <c>recurseForDerivations</c> set, to split a failure inside it.</summary>
    private async Task<List<IReadOnlyList<string>>?> ChildrenAsync(IReadOnlyList<string> path, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var names = await walker.NamesAsync(path, cancellationToken).ConfigureAwait(false);
            return names is { Kind: "set", Recurse: true }
                ? names.Names.Select(n => (IReadOnlyList<string>)[.. path, n]).ToList()
                : null;
        }
        catch (NixProcessException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task ReportCaughtAsync(CancellationToken cancellationToken)
    {
        var caught = Sink.CaughtFailures.Order(StringComparer.Ordinal).ToList();
        var explained = caught.Take(options.ErrorMessageLimit).Select(async attr =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            string message;
            try
            {
                // Without tryEval the error surfaces with Nix's message; read-only, nothing is written.
                await walker.RunAsync("instantiate", [walker.RelativePath(attr)], [], readWrite: false, strict: true,
                    (stream, ct) => stream.CopyToAsync(System.IO.Stream.Null, ct), cancellationToken).ConfigureAwait(false);
                message = "failed under builtins.tryEval, but evaluated when retried alone";
            }
            catch (NixProcessException e) when (!cancellationToken.IsCancellationRequested)
            {
                message = e.NixMessage;
            }
            finally
            {
                gate.Release();
            }
            await FailAsync(attr, message, cancellationToken).ConfigureAwait(false);
        });
        await Task.WhenAll(explained).ConfigureAwait(false);
        foreach (var attr in caught.Skip(options.ErrorMessageLimit))
        {
            await FailAsync(attr, $"throw or assert caught by builtins.tryEval (messages are collected for the first {options.ErrorMessageLimit} only)", cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ReportUnresolvedAsync(CancellationToken cancellationToken)
    {
        // A derivation named in a string of one group may have been walked as a value by another.
        var perAttr = Sink.Unresolved
            .GroupBy(u => u.Attr, StringComparer.Ordinal)
            .Select(g => (Attr: g.Key, Drvs: g.SelectMany(u => u.Drvs).Where(d => !Sink.HasSeen(d)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList()))
            .Where(u => u.Drvs.Count > 0)
            .OrderBy(u => u.Attr, StringComparer.Ordinal);
        foreach (var (attr, drvs) in perAttr)
        {
            await output.WriteAsync(new ContextDrvsUnresolved(attr, drvs), cancellationToken).ConfigureAwait(false);
        }
    }

    private Task FailAsync(IReadOnlyList<string> path, string message, CancellationToken cancellationToken) =>
        FailAsync(walker.AttrName(path), message, cancellationToken);

    private async Task FailAsync(string attr, string message, CancellationToken cancellationToken)
    {
        if (Sink.TryReport(attr))
        {
            await output.WriteAsync(new AttrFailed(attr, message), cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask FlushAsync(List<EvalEvent> batch, CancellationToken cancellationToken)
    {
        foreach (var item in batch)
        {
            await output.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        }
        batch.Clear();
    }
}
