using System.Buffers;
using CsCheck;

namespace Vigil.Data.Tests;

/// <summary>The <c>drvs.inputs</c> blob: any mix of ids and paths comes back in order.</summary>
public sealed class DrvInputsTests
{
    private static readonly Gen<(long? Id, string? Path)> Entry = Gen.OneOf(
        Gen.Long[1, long.MaxValue].Select(id => ((long?)id, (string?)null)),
        Gen.Long[1, 70_000].Select(id => ((long?)id, (string?)null)),
        Gen.String.Select(path => ((long?)null, (string?)path)));

    [Fact]
    public void Ids_and_paths_round_trip_in_order()
    {
        Entry.List[0, 12].Sample(entries =>
        {
            var blob = ReEncode(entries);
            var decoded = new List<(long?, string?)>();
            DrvInputs.Decode(blob, id => decoded.Add((id, null)), path => decoded.Add((null, path)));
            Assert.Equal(entries, decoded);

            var (ids, paths) = DrvInputs.Split(blob);
            Assert.Equal(entries.Where(e => e.Id is not null).Select(e => e.Id!.Value), ids);
            Assert.Equal(entries.Where(e => e.Id is null).Select(e => e.Path!), paths);
            // Encode writes the ids first, then the paths.
            var idsThenPaths = entries.Where(e => e.Id is not null).Concat(entries.Where(e => e.Id is null)).ToList();
            Assert.Equal(ReEncode(idsThenPaths), DrvInputs.Encode(ids, paths));
        });
    }

    [Fact]
    public void Small_ids_take_few_bytes_and_bad_blobs_are_rejected()
    {
        Assert.Equal([1, 0x7F, 0x80, 0x01], DrvInputs.Encode([1, 127, 128], []));
        Assert.Equal(3, DrvInputs.Encode([70_000], []).Length);
        Assert.Equal([0, 3, (byte)'a', (byte)'/', (byte)'b'], DrvInputs.Encode([], ["a/b"]));
        Assert.Throws<ArgumentOutOfRangeException>(() => DrvInputs.Encode([0], []));
        Assert.Throws<InvalidDataException>(() => DrvInputs.Split([0x80]));
        Assert.Throws<InvalidDataException>(() => DrvInputs.Split([0, 5, (byte)'a']));
        Assert.Throws<InvalidDataException>(() => DrvInputs.Split([.. Enumerable.Repeat((byte)0xFF, 10), 1]));
    }

    private static byte[] ReEncode(List<(long? Id, string? Path)> entries)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var (id, path) in entries)
        {
            if (id is { } i)
            {
                DrvInputs.AddId(buffer, i);
            }
            else
            {
                DrvInputs.AddPath(buffer, path!);
            }
        }
        return buffer.WrittenSpan.ToArray();
    }
}
