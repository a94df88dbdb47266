using System.Collections.Concurrent;

namespace Vigil.Farm.Grpc;

/// <summary>
/// Step logs as plain files, one per step attempt (<c>DIR/BUILD/STEPNR.log</c>): chunks are
/// appended in offset order; a chunk overlapping what is already there (re-sent after a reconnect)
/// contributes only its new bytes, and a gap (a chunk lost in a broken connection) is left as it is.
/// </summary>
public sealed class StepLogStore(string directory)
{
    private readonly ConcurrentDictionary<string, object> locks = new(StringComparer.Ordinal);

    public string PathOf(long buildId, int stepNr) =>
        Path.Combine(directory, buildId.ToString(System.Globalization.CultureInfo.InvariantCulture), stepNr.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".log");

    public void Append(long buildId, int stepNr, ulong offset, ReadOnlySpan<byte> data)
    {
        var path = PathOf(buildId, stepNr);
        lock (locks.GetOrAdd(path, _ => new object()))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            var have = (ulong)file.Length;
            var end = offset + (ulong)data.Length;
            if (end <= have)
            {
                return;
            }
            var skip = offset < have ? (int)(have - offset) : 0;
            file.Write(data[skip..]);
        }
    }

    /// <summary>The log's size (0 when nothing arrived), and forgets its lock.</summary>
    public long Close(long buildId, int stepNr)
    {
        var path = PathOf(buildId, stepNr);
        locks.TryRemove(path, out _);
        return File.Exists(path) ? new FileInfo(path).Length : 0;
    }
}
