using System.Runtime.CompilerServices;
using Vigil.Nix;

namespace Vigil.Store.Evaluation;

/// <summary>
/// <c>drvs</c>: a file (or <c>-</c> for stdin) of <c>.drv</c> store paths, one a line; blank lines
/// and <c>#</c> comments are skipped. Each path becomes <see cref="AttrEvaluated"/> whose attribute
/// is the derivation's name (the path's name without <c>.drv</c>), or, when an earlier path of the
/// list already has that name (many sources are all called <c>source</c>), its store base name
/// without <c>.drv</c>, so attributes stay unique; a path listed again is reported once. A line that is not a <c>.drv</c>
/// store path becomes <see cref="AttrFailed"/> (attribute <c>line N</c>) instead of being dropped.
/// Paths inside a chroot store's real directory are accepted and mapped to logical paths. A target
/// that is itself a <c>.drv</c> store path is the one root.
/// </summary>
public sealed class DrvListEvaluator : IEvaluator
{
    private readonly StoreLocation store;

    public DrvListEvaluator(StoreLocation? store = null) => this.store = store ?? StoreLocation.FromEnvironment();

    public string Name => "drvs";

    public async IAsyncEnumerable<EvalEvent> EvaluateAsync(EvalTarget target, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        // Attribute name → path, over the whole list.
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        if (target.File.EndsWith(".drv", StringComparison.Ordinal)
            && store.ToStorePath(target.File).StartsWith(store.StoreDir.Prefix, StringComparison.Ordinal))
        {
            yield return Read(0, target.File, named)!;
            yield break;
        }
        await foreach (var (number, line) in NumberedLines.ReadAsync(target.File, cancellationToken).ConfigureAwait(false))
        {
            var text = line.Trim();
            if (text.Length == 0 || text[0] == '#')
            {
                continue;
            }
            if (Read(number, text, named) is { } item)
            {
                yield return item;
            }
        }
    }

    /// <returns>The line's event, or null for a path listed before.</returns>
    private EvalEvent? Read(int number, string text, Dictionary<string, string> named)
    {
        try
        {
            var full = store.ToStorePath(text);
            var path = store.StoreDir.Parse(full);
            if (!path.IsDerivation)
            {
                return new AttrFailed(NumberedLines.LineAttr(number), $"line {number}: '{text}' is not a .drv path");
            }
            // The name, else the base name, else (a drv named like another's base name) the path itself.
            for (var candidate = 0; ; candidate++)
            {
                var attr = candidate switch
                {
                    0 => path.Name[..^".drv".Length].ToString(),
                    1 => path.BaseName[..^".drv".Length],
                    _ => full,
                };
                if (!named.TryGetValue(attr, out var earlier))
                {
                    named.Add(attr, full);
                    return new AttrEvaluated(attr, full);
                }
                if (earlier == full)
                {
                    return null;
                }
            }
        }
        catch (NixFormatException e)
        {
            return new AttrFailed(NumberedLines.LineAttr(number), $"line {number}: {e.Reason}");
        }
    }
}
