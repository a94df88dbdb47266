using System.Runtime.CompilerServices;
using Vigil.Nix;

namespace Vigil.Store.Evaluation;

/// <summary>
/// <c>drvs</c>: a file (or <c>-</c> for stdin) of <c>.drv</c> store paths, one a line; blank lines
/// and <c>#</c> comments are skipped. Each path becomes <see cref="AttrEvaluated"/> whose attribute
/// is the derivation's name (the path's name without <c>.drv</c>). A line that is not a <c>.drv</c>
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
        if (target.File.EndsWith(".drv", StringComparison.Ordinal)
            && store.ToStorePath(target.File).StartsWith(store.StoreDir.Prefix, StringComparison.Ordinal))
        {
            yield return Read(0, target.File);
            yield break;
        }
        await foreach (var (number, line) in NumberedLines.ReadAsync(target.File, cancellationToken).ConfigureAwait(false))
        {
            var text = line.Trim();
            if (text.Length == 0 || text[0] == '#')
            {
                continue;
            }
            yield return Read(number, text);
        }
    }

    private EvalEvent Read(int number, string text)
    {
        try
        {
            var full = store.ToStorePath(text);
            var path = store.StoreDir.Parse(full);
            if (!path.IsDerivation)
            {
                return new AttrFailed(NumberedLines.LineAttr(number), $"line {number}: '{text}' is not a .drv path");
            }
            return new AttrEvaluated(path.Name[..^".drv".Length].ToString(), full);
        }
        catch (NixFormatException e)
        {
            return new AttrFailed(NumberedLines.LineAttr(number), $"line {number}: {e.Reason}");
        }
    }
}
