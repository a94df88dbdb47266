using System.Buffers;
using System.Security.Cryptography;
using Vigil.Nix;
using Vigil.Nix.Derivations;

namespace Vigil.Store;

/// <summary>Reads <c>.drv</c> files from a local store directory.</summary>
public sealed class DerivationReader
{
    public DerivationReader(StoreLocation location) => Location = location;

    public StoreLocation Location { get; }

    public Derivation Read(string drvPath) => Load(drvPath, check: false).Derivation;

    /// <summary>Reads and parses one derivation; with <paramref name="check"/> also re-serialises it to compare bytes.</summary>
    public LoadedDerivation Load(string drvPath, bool check)
    {
        string name;
        string realPath;
        try
        {
            name = ATermReader.NameFromPath(drvPath);
            realPath = Location.RealPath(drvPath);
        }
        catch (NixFormatException e)
        {
            throw new StoreException(drvPath, $"'{drvPath}' is not a derivation path: {e.Reason}", e);
        }
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(realPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException(drvPath, $"cannot read derivation '{drvPath}' ({realPath}): {e.Message}", e);
        }
        Derivation drv;
        try
        {
            drv = ATermReader.Parse(bytes, name, Location.StoreDir);
        }
        catch (NixFormatException e)
        {
            throw new StoreException(drvPath, $"derivation '{drvPath}' is malformed: {e.Message}", e);
        }
        var canonical = true;
        if (check)
        {
            var buffer = new ArrayBufferWriter<byte>(bytes.Length + 16);
            ATermWriter.Write(drv, buffer);
            canonical = buffer.WrittenSpan.SequenceEqual(bytes);
        }
        return new LoadedDerivation(drvPath, drv, check ? SHA256.HashData(bytes) : [], canonical);
    }
}
