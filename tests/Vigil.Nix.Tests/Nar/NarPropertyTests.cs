using System.Buffers;
using CsCheck;
using Vigil.Nix.Nar;

namespace Vigil.Nix.Tests.Nar;

/// <summary>Random trees round-trip; random damage to their NARs only ever yields a NixFormatException.</summary>
public sealed class NarPropertyTests
{
    [Fact]
    public void Random_trees_round_trip_through_reader_and_encoder()
    {
        NarModel.Generator().Sample(model =>
        {
            var nar = model.Encode();
            var builder = new NarModel.Builder();
            NarReader.Read(nar, builder);
            Assert.Equal(nar, builder.Root!.Encode());
            var output = new ArrayBufferWriter<byte>();
            NarReader.Read(nar, new NarEncoder(output));
            Assert.Equal(nar, output.WrittenSpan.ToArray());
        }, iter: 500);
    }

    [Fact]
    public void Contents_larger_than_the_read_buffer_stream_through()
    {
        NarModel.Generator(maxContents: 300_000).Sample(model =>
        {
            var nar = model.Encode();
            using var stream = new TrickleStream(nar);
            var output = new ArrayBufferWriter<byte>();
            NarReader.Read(stream, new NarEncoder(output));
            Assert.Equal(nar, output.WrittenSpan.ToArray());
        }, iter: 30);
    }

    private enum Damage
    {
        Flip,
        Truncate,
        Insert,
        Delete,
        ForgeLength,
    }

    /// <summary>The timeout is the "never hangs" half: every read must end, by success or by a format error.</summary>
    [Fact(Timeout = 120_000)]
    public Task Damaged_nars_fail_only_with_format_errors_in_bounded_memory() => Task.Run(() =>
    {
        var gen =
            from model in NarModel.Generator()
            from damage in Gen.Enum<Damage>()
            from position in Gen.Int[0, int.MaxValue]
            from value in Gen.ULong
            from bytes in Gen.Byte.Array[1, 16]
            select (model, damage, position, value, bytes);
        gen.Sample(t =>
        {
            var nar = Apply(t.model.Encode(), t.damage, t.position, t.value, t.bytes);
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                NarReader.Read(nar, new NarModel.NullVisitor());
            }
            catch (NixFormatException e)
            {
                Assert.Equal("NAR", e.Format);
                Assert.InRange(e.Position, 0, nar.Length);
            }
            // A read buffer from the pool, small arenas; never anything sized by a forged length.
            Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 512 * 1024);
        }, iter: 5000);
    }, TestContext.Current.CancellationToken);

    private static byte[] Apply(byte[] nar, Damage damage, int position, ulong value, byte[] bytes)
    {
        var at = position % (nar.Length + 1);
        switch (damage)
        {
            case Damage.Flip:
                if (at < nar.Length)
                {
                    nar[at] ^= bytes[0] == 0 ? (byte)1 : bytes[0];
                }
                return nar;
            case Damage.Truncate:
                return nar[..at];
            case Damage.Insert:
                return [.. nar[..at], .. bytes, .. nar[at..]];
            case Damage.Delete:
                return [.. nar[..at], .. nar[Math.Min(nar.Length, at + bytes.Length)..]];
            default:
                // Length fields sit at multiples of 8: overwrite one with a random (often huge) value.
                var field = at / 8 * 8;
                if (field + 8 <= nar.Length)
                {
                    BitConverter.TryWriteBytes(nar.AsSpan(field), value >> (int)(value % 64));
                }
                return nar;
        }
    }

    /// <summary>Hands out at most 7 bytes per read, to exercise every buffer boundary.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 7));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 7)]);
    }
}
