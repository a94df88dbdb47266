using System.Text;
using Vigil.Nix.Hashing;

namespace Vigil.Nix.Nar;

/// <summary>
/// Hashes of paths as Nix computes them: the recursive (NAR) hash of a tree, which is what
/// <c>nix-hash</c> and <c>nix-store --dump | sha256sum</c> give, and the flat hash of a file's bytes.
/// The NAR is never held in memory: it is hashed in 1 MiB chunks as the tree is walked.
/// </summary>
public static class NarHasher
{
    public static NixHash HashPath(string path, HashAlgorithmKind algorithm, CancellationToken cancellationToken = default)
    {
        using var output = new HashOutput(algorithm, NarWriter.BufferSize, pipelined: true);
        return HashPath(path, output, cancellationToken);
    }

    /// <summary>The flat hash: the bytes of the file a path names, symlinks followed (<c>nix-hash --flat</c>).</summary>
    public static NixHash HashFile(string path, HashAlgorithmKind algorithm, CancellationToken cancellationToken = default)
    {
        using var output = new HashOutput(algorithm, NarWriter.BufferSize, pipelined: true);
        return HashFile(path, output, cancellationToken);
    }

    /// <summary>
    /// Hashes many paths at once on all cores (or <paramref name="maxDegreeOfParallelism"/>), each
    /// result in the position of its path. A path that fails does not stop the others.
    /// </summary>
    public static PathHashResult[] HashPaths(
        IReadOnlyList<string> paths,
        HashAlgorithmKind algorithm,
        bool flat = false,
        int maxDegreeOfParallelism = -1,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var results = new PathHashResult[paths.Count];
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };
        // One output (buffer and hash state) per worker, reused across its paths.
        Parallel.For(
            0,
            paths.Count,
            options,
            () => new HashOutput(algorithm, NarWriter.BufferSize),
            (i, _, output) =>
            {
                var path = paths[i];
                try
                {
                    var hash = flat ? HashFile(path, output, cancellationToken) : HashPath(path, output, cancellationToken);
                    results[i] = new PathHashResult(path, hash, null);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    output.Reset();
                    results[i] = new PathHashResult(path, null, e);
                }
                return output;
            },
            output => output.Dispose());
        return results;
    }

    private static NixHash HashPath(string path, HashOutput output, CancellationToken cancellationToken)
    {
        NarWriter.Write(path, output, cancellationToken);
        return output.GetHashAndReset();
    }

    private static NixHash HashFile(string path, HashOutput output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        var pathZ = Encoding.UTF8.GetBytes(path + "\0");
        var fd = NarFileSystem.OpenRead(pathZ);
        try
        {
            NarFileSystem.AdviseSequentialRead(fd);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Read to the end rather than to the size stat reports: /dev/stdin, /proc files and pipes have none.
                var span = output.GetSpan(64 * 1024);
                var n = NarFileSystem.Read(fd, span, pathZ);
                if (n == 0)
                {
                    break;
                }
                output.Advance(n);
            }
        }
        finally
        {
            NarFileSystem.Close(fd);
        }
        return output.GetHashAndReset();
    }
}
