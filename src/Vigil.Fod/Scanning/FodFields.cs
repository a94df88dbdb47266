using System.Text;
using Vigil.Nix;
using Vigil.Nix.Derivations;
using Vigil.Nix.Fetchers;

namespace Vigil.Fod.Scanning;

/// <summary>
/// What <see cref="DrvSkim"/> read of a maybe-FOD: its output tuple as text, how many of the
/// inputs it listed are input derivations, and its env entries as places in the file's bytes.
/// One per thread, reused file after file: valid while <see cref="File"/> holds that file.
/// </summary>
internal sealed class FodFields
{
    private const int StackKeyLimit = 256;

    private const int Remembered = 8;

    // Per entry: key start, key length, value start, value length (negative: the value has escapes).
    private int[] _env = new int[4 * 64];

    // The extractor asks for some keys more than once (urls three times, postFetch, whose value is a
    // script, twice): the last answers, by key reference, so each value becomes a string once.
    private readonly string?[] _askedKeys = new string?[Remembered];
    private readonly string?[] _answers = new string?[Remembered];
    private int _asked;

    /// <summary>The buffer the file was read into (the span given to the skim is its start).</summary>
    public byte[] File { get; set; } = [];

    public string OutputPath { get; set; } = "";

    public string HashAlgo { get; set; } = "";

    public string Hash { get; set; } = "";

    /// <summary>How many of the inputs the skim listed, from the first, are input derivations (the rest are <c>.drv</c> input sources).</summary>
    public int InputDerivations { get; set; }

    public int EnvCount { get; private set; }

    /// <summary>Forgets the last file's env.</summary>
    public void ClearEnv()
    {
        EnvCount = 0;
        _asked = 0;
    }

    public void AddEnv(int keyStart, int keyLength, int valueStart, int valueLength, bool escaped)
    {
        if (4 * (EnvCount + 1) > _env.Length)
        {
            Array.Resize(ref _env, _env.Length * 2);
        }
        var at = 4 * EnvCount++;
        _env[at] = keyStart;
        _env[at + 1] = keyLength;
        _env[at + 2] = valueStart;
        _env[at + 3] = escaped ? ~valueLength : valueLength;
    }

    /// <summary>
    /// The record of the FOD read, given the inputs the skim listed; null when its output tuple does
    /// not parse (the full reader then says why).
    /// </summary>
    public FodRecord? TryExtract(string drvPath, List<string> inputs, Func<string, Derivation?> loadInput)
    {
        DerivationOutput output;
        try
        {
            output = new DerivationOutput("out", OutputPath, HashAlgo, Hash);
        }
        catch (NixFormatException)
        {
            return null;
        }
        var inputDrvs = inputs.GetRange(0, InputDerivations);
        return FodExtractor.Extract(FodExtractor.FromFields(drvPath, ATermReader.NameFromPath(drvPath), output, Env, inputDrvs, loadInput));
    }

    /// <summary>The env value of <paramref name="key"/> as text, unescaped; null when there is none.</summary>
    public string? Env(string key)
    {
        for (var i = 0; i < _asked; i++)
        {
            if (ReferenceEquals(_askedKeys[i], key))
            {
                return _answers[i];
            }
        }
        var value = Lookup(key);
        if (_asked < Remembered)
        {
            _askedKeys[_asked] = key;
            _answers[_asked++] = value;
        }
        return value;
    }

    private string? Lookup(string key)
    {
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        Span<byte> buffer = max <= StackKeyLimit ? stackalloc byte[StackKeyLimit] : new byte[max];
        var wanted = buffer[..Encoding.UTF8.GetBytes(key, buffer)];
        int lo = 0, hi = EnvCount - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var at = 4 * mid;
            var c = File.AsSpan(_env[at], _env[at + 1]).SequenceCompareTo(wanted);
            if (c == 0)
            {
                var length = _env[at + 3];
                return length >= 0
                    ? Encoding.UTF8.GetString(File, _env[at + 2], length)
                    : Unescape(File.AsSpan(_env[at + 2], ~length));
            }
            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return null;
    }

    private static string Unescape(ReadOnlySpan<byte> body)
    {
        var bytes = new byte[body.Length];
        return Encoding.UTF8.GetString(bytes, 0, ATermStrings.Unescape(body, bytes));
    }
}
