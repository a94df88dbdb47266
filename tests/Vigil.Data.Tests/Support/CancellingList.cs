namespace Vigil.Data.Tests.Support;

/// <summary>
/// A list that cancels a token on its <c>cancelAtRead</c>-th item read (counting from 0 over all
/// reads): a deterministic "interrupted in the middle of a bulk write", whatever the machine's speed.
/// Reads are counted rather than indexes so a validation pass before the write does not trip it.
/// </summary>
public sealed class CancellingList<T>(IReadOnlyList<T> items, int cancelAtRead, CancellationTokenSource source) : IReadOnlyList<T>
{
    private int reads;

    public int Count => items.Count;

    public T this[int index]
    {
        get
        {
            if (reads++ == cancelAtRead)
            {
                source.Cancel();
            }
            return items[index];
        }
    }

    public IEnumerator<T> GetEnumerator()
    {
        for (var i = 0; i < items.Count; i++)
        {
            yield return this[i];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
