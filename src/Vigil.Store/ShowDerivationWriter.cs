using System.Buffers;
using System.Runtime.CompilerServices;
using Vigil.Nix.Derivations;

namespace Vigil.Store;

/// <summary>
/// Writes the <c>nix show-derivation</c> JSON object of a set of derivation files (as read by
/// <see cref="DerivationClosure.ReadFiles"/>), in Nix's order (by store path). Runs of derivations
/// are parsed and printed in parallel, each into its own buffer, and written out in order; the
/// parsed models die young.
/// </summary>
public static class ShowDerivationWriter
{
    private const int BlockSize = 128;

    public static async Task WriteAsync(
        Stream output,
        DerivationReader reader,
        IReadOnlyDictionary<string, ReadOnlyMemory<byte>> files,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(files);
        // Nix orders by store path (its std::set), i.e. by base name.
        var sorted = files.Keys.Order(StringComparer.Ordinal).ToArray();
        var storeDir = reader.Location.StoreDir;
        var wave = 4 * Environment.ProcessorCount;
        var buffers = new ArrayBufferWriter<byte>[wave];
        for (var i = 0; i < wave; i++)
        {
            buffers[i] = new ArrayBufferWriter<byte>(BlockSize * 4096);
        }
        new DerivationJson(buffers[0], storeDir).Begin();
        await output.WriteAsync(buffers[0].WrittenMemory, cancellationToken).ConfigureAwait(false);
        var blocks = (sorted.Length + BlockSize - 1) / BlockSize;
        var options = new ParallelOptions { CancellationToken = cancellationToken };
        for (var first = 0; first < blocks; first += wave)
        {
            var count = Math.Min(wave, blocks - first);
            var start = first;
            Parallel.For(0, count, options, i => WriteBlock(buffers[i], reader, files, sorted, start + i));
            for (var i = 0; i < count; i++)
            {
                await output.WriteAsync(buffers[i].WrittenMemory, cancellationToken).ConfigureAwait(false);
            }
        }
        buffers[0].ResetWrittenCount();
        new DerivationJson(buffers[0], storeDir) { HasMembers = sorted.Length > 0 }.End();
        await output.WriteAsync(buffers[0].WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    // Optimised at once: a short-lived process would otherwise run much of its one pass over the
    // closure in unoptimised and then instrumented code (tiered compilation with PGO).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteBlock(
        ArrayBufferWriter<byte> buffer, DerivationReader reader, IReadOnlyDictionary<string, ReadOnlyMemory<byte>> files, string[] sorted, int block)
    {
        buffer.ResetWrittenCount();
        var json = new DerivationJson(buffer, reader.Location.StoreDir) { HasMembers = block > 0 };
        var end = Math.Min(sorted.Length, (block + 1) * BlockSize);
        for (var k = block * BlockSize; k < end; k++)
        {
            json.Add(sorted[k], reader.Parse(sorted[k], files[sorted[k]].Span));
        }
    }
}
