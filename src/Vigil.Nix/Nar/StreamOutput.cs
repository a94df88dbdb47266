namespace Vigil.Nix.Nar;

/// <summary>Buffers NAR bytes and writes them to a stream in large chunks.</summary>
internal sealed class StreamOutput(Stream destination, int bufferSize) : ChunkedOutput(bufferSize)
{
    protected override void Consume(ReadOnlySpan<byte> data) => destination.Write(data);
}
