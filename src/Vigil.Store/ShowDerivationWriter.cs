using System.Buffers;
using Vigil.Nix.Derivations;
using Vigil.Nix.StorePaths;

namespace Vigil.Store;

/// <summary>
/// Writes the <c>nix show-derivation</c> JSON object of some derivations (or of their closure), in
/// Nix's order (by store path). Each derivation is read, parsed and printed once, in parallel, as
/// its JSON member lands in a few large chunks (<see cref="ByteArena"/>); once all are done (so a
/// bad file fails before any output, as in Nix) the members are written out in order. Neither
/// parsed models nor one object per file stay alive for the garbage collector to copy.
/// </summary>
public static class ShowDerivationWriter
{
    public static async Task WriteAsync(
        Stream output,
        DerivationReader reader,
        IEnumerable<string> roots,
        bool recursive,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(reader);
        var storeDir = reader.Location.StoreDir;
        using var printers = new ThreadLocal<MemberPrinter>(() => new MemberPrinter(storeDir));
        var members = DerivationClosure.Visit(
            reader, roots, recursive, (path, bytes, inputs) => printers.Value!.Print(reader, path, bytes, inputs), cancellationToken: cancellationToken);
        // Nix orders by store path (its std::set), i.e. by base name.
        var sorted = members.Keys.Order(StringComparer.Ordinal).ToArray();
        var buffer = new ArrayBufferWriter<byte>(1 << 20);
        new DerivationJson(buffer, storeDir).Begin();
        for (var i = 0; i < sorted.Length; i++)
        {
            // Each member starts with its own "\n  "; the comma goes between members.
            if (i > 0)
            {
                buffer.Write(","u8);
            }
            buffer.Write(members[sorted[i]].Span);
            if (buffer.WrittenCount > 1 << 19)
            {
                await output.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
                buffer.ResetWrittenCount();
            }
        }
        new DerivationJson(buffer, storeDir) { HasMembers = sorted.Length > 0 }.End();
        await output.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One thread's printer: a scratch buffer and the arena its members are kept in.</summary>
    private sealed class MemberPrinter(StoreDir storeDir)
    {
        private readonly ArrayBufferWriter<byte> _scratch = new(1 << 16);
        private readonly ByteArena _arena = new();
        private readonly List<string> _inputs = [];

        public ReadOnlyMemory<byte> Print(DerivationReader reader, string path, ReadOnlySpan<byte> bytes, List<string>? inputs)
        {
            _scratch.ResetWrittenCount();
            _inputs.Clear();
            // Straight from the bytes when the file is in Nix's own form (all of them, in practice);
            // through the parser otherwise, which also names what is wrong with a malformed one.
            if (!new DerivationJson(_scratch, storeDir).TryAddFromATerm(path, bytes, ATermReader.NameFromPath(path), _inputs))
            {
                _scratch.ResetWrittenCount();
                _inputs.Clear();
                var drv = reader.Parse(path, bytes);
                new DerivationJson(_scratch, storeDir).Add(path, drv);
                DerivationClosure.AddInputs(drv, _inputs);
            }
            inputs?.AddRange(_inputs);
            var member = _arena.Allocate(_scratch.WrittenCount);
            _scratch.WrittenSpan.CopyTo(member.Span);
            return member;
        }
    }
}
