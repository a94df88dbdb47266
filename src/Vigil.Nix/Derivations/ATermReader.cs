using System.Text;
using System.Runtime.CompilerServices;
using Vigil.Nix.StorePaths;
using Vigil.Nix.Text;

namespace Vigil.Nix.Derivations;

/// <summary>
/// Parses the <c>Derive(…)</c> ATerm of Nix 2.8 (grammar in docs/nix-formats.md §3.1). Lists are
/// put into canonical order as Nix's maps would; duplicate keys are rejected. Every failure is a
/// <see cref="NixFormatException"/> naming the byte offset.
/// </summary>
public static class ATermReader
{
    private const string Format = "derivation";

    /// <summary>Maximum accepted size; a bigger file is not a derivation anyone wrote by hand or tool.</summary>
    public const int MaxSize = 256 * 1024 * 1024;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Derivation Parse(ReadOnlySpan<byte> aterm, string name, StoreDir? storeDir = null)
    {
        if (aterm.Length > MaxSize)
        {
            throw new NixFormatException(Format, 0, $"derivation is {aterm.Length} bytes, more than the {MaxSize}-byte limit");
        }
        var reader = new Reader(aterm, storeDir ?? StoreDir.Default);
        return reader.ReadDerivation(name);
    }

    /// <summary>The derivation name from its path: base name without hash part and <c>.drv</c>.</summary>
    public static string NameFromPath(string drvPath)
    {
        var slash = drvPath.LastIndexOf('/');
        var baseName = drvPath[(slash + 1)..];
        // hash part, dash, a name of at least one byte, ".drv"
        if (baseName.Length < StorePath.HashLength + 1 + 1 + 4 || !baseName.EndsWith(".drv", StringComparison.Ordinal))
        {
            throw new NixFormatException("store path", 0, $"'{drvPath}' is not a .drv store path");
        }
        return baseName[(StorePath.HashLength + 1)..^4];
    }

    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _input;
        private readonly StoreDir _storeDir;
        private int _pos;

        public Reader(ReadOnlySpan<byte> input, StoreDir storeDir)
        {
            _input = input;
            _storeDir = storeDir;
            _pos = 0;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Derivation ReadDerivation(string name)
        {
            Expect("Derive(");
            var outputs = ReadOutputs();
            Expect(",");
            var inputDrvs = ReadInputDrvs();
            Expect(",");
            var inputSrcsAt = _pos;
            var inputSrcs = ReadPathList();
            EnsureSortedUnique(inputSrcs, inputSrcsAt, "input source");
            Expect(",");
            var platformAt = _pos;
            var platform = ReadString();
            // Nix writes the platform unescaped: a quote or backslash in it could not be written back.
            if (platform.AsSpan().IndexOfAny((byte)'"', (byte)'\\') >= 0)
            {
                throw new NixFormatException(Format, platformAt, "platform contains a quote or backslash");
            }
            Expect(",");
            var builder = ReadString();
            Expect(",");
            var args = ReadStringList();
            Expect(",");
            var env = ReadEnv();
            Expect(")");
            if (_pos != _input.Length)
            {
                throw Error("unexpected data after the end of the derivation");
            }
            return new Derivation(name, outputs, inputDrvs, inputSrcs, platform, builder, args, env);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private List<DerivationOutput> ReadOutputs()
        {
            var outputs = new List<DerivationOutput>();
            Expect("[");
            while (!TryConsume((byte)']'))
            {
                if (outputs.Count > 0)
                {
                    Expect(",");
                }
                var at = _pos;
                Expect("(");
                var outName = ReadAscii("output name");
                if (StorePathName.Check(outName) is { } bad)
                {
                    throw new NixFormatException(Format, at, $"output name '{outName}': {bad.Reason}");
                }
                Expect(",");
                var pathAt = _pos;
                var path = ReadAscii("output path");
                if (path.Length > 0)
                {
                    _storeDir.Parse(path, pathAt + 1);
                }
                Expect(",");
                var algoAt = _pos;
                var hashAlgo = ReadAscii("hash algorithm");
                Expect(",");
                var hashAt = _pos;
                var hash = ReadAscii("hash");
                Expect(")");
                try
                {
                    outputs.Add(new DerivationOutput(outName, path, hashAlgo, hash));
                }
                catch (NixFormatException e)
                {
                    // Point at the offending field: inside the hash, at the algorithm, or at the tuple.
                    var position = e.Format switch
                    {
                        "hash" => hashAt + 1 + e.Position,
                        "hash algorithm" => algoAt + 1,
                        _ => at,
                    };
                    throw new NixFormatException(Format, position, $"output '{outName}': {e.Reason}");
                }
            }
            outputs.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            for (var i = 1; i < outputs.Count; i++)
            {
                if (outputs[i].Name == outputs[i - 1].Name)
                {
                    throw Error($"duplicate output '{outputs[i].Name}'");
                }
            }
            return outputs;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private List<InputDerivation> ReadInputDrvs()
        {
            var inputs = new List<InputDerivation>();
            var listAt = _pos;
            Expect("[");
            while (!TryConsume((byte)']'))
            {
                if (inputs.Count > 0)
                {
                    Expect(",");
                }
                Expect("(");
                var path = ReadStorePath("input derivation path");
                Expect(",");
                var outputsAt = _pos;
                var outputs = new List<string>();
                Expect("[");
                while (!TryConsume((byte)']'))
                {
                    if (outputs.Count > 0)
                    {
                        Expect(",");
                    }
                    var nameAt = _pos;
                    var outputName = ReadAscii("output name");
                    // Written back unescaped, so it must be a valid name like the outputs themselves.
                    if (StorePathName.Check(outputName) is { } bad)
                    {
                        throw new NixFormatException(Format, nameAt, $"output name '{outputName}': {bad.Reason}");
                    }
                    outputs.Add(outputName);
                }
                outputs.Sort(StringComparer.Ordinal);
                EnsureSortedUnique(outputs, outputsAt, "output name");
                Expect(")");
                inputs.Add(new InputDerivation(path, outputs));
            }
            inputs.Sort(static (a, b) => string.CompareOrdinal(a.Path, b.Path));
            for (var i = 1; i < inputs.Count; i++)
            {
                if (inputs[i].Path == inputs[i - 1].Path)
                {
                    throw new NixFormatException(Format, listAt, $"duplicate input derivation '{inputs[i].Path}'");
                }
            }
            return inputs;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private List<string> ReadPathList()
        {
            var paths = new List<string>();
            Expect("[");
            while (!TryConsume((byte)']'))
            {
                if (paths.Count > 0)
                {
                    Expect(",");
                }
                paths.Add(ReadStorePath("store path"));
            }
            paths.Sort(StringComparer.Ordinal);
            return paths;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private List<byte[]> ReadStringList()
        {
            var list = new List<byte[]>();
            Expect("[");
            while (!TryConsume((byte)']'))
            {
                if (list.Count > 0)
                {
                    Expect(",");
                }
                list.Add(ReadString());
            }
            return list;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private List<EnvVariable> ReadEnv()
        {
            // Derivations have tens of variables: start big enough that most lists never grow.
            var env = new List<EnvVariable>(32);
            var at = _pos;
            Expect("[");
            var sorted = true;
            while (!TryConsume((byte)']'))
            {
                if (env.Count > 0)
                {
                    Expect(",");
                }
                Expect("(");
                var key = ReadString();
                Expect(",");
                var value = ReadString();
                Expect(")");
                if (env.Count > 0 && env[^1].Key.AsSpan().SequenceCompareTo(key) >= 0)
                {
                    sorted = false;
                }
                env.Add(new EnvVariable(key, value));
            }
            if (!sorted)
            {
                env.Sort(static (a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
                for (var i = 1; i < env.Count; i++)
                {
                    if (env[i].Key.AsSpan().SequenceEqual(env[i - 1].Key))
                    {
                        throw new NixFormatException(Format, at, $"duplicate environment variable '{ByteStrings.Display(env[i].Key)}'");
                    }
                }
            }
            return env;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void EnsureSortedUnique(List<string> items, int at, string what)
        {
            items.Sort(StringComparer.Ordinal);
            for (var i = 1; i < items.Count; i++)
            {
                if (items[i] == items[i - 1])
                {
                    throw new NixFormatException(Format, at, $"duplicate {what} '{items[i]}'");
                }
            }
        }

        /// <summary>A string field that must be a store path in this store.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private string ReadStorePath(string what)
        {
            var at = _pos;
            var raw = ReadStringSpan(out var owned);
            var cache = ValidatedPathCache.For(_storeDir);
            var slot = -1;
            if (owned is null && cache.Find(raw, out slot) is { } known)
            {
                return known;
            }
            _pos = at;
            var path = ReadAscii(what);
            _storeDir.Parse(path, at + 1);
            if (slot >= 0)
            {
                cache.Add(slot, raw, path);
            }
            return path;
        }

        /// <summary>A string field that must be printable ASCII (paths, names, algorithms).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private string ReadAscii(string what)
        {
            var at = _pos;
            var bytes = ReadStringSpan(out var owned);
            var span = owned ?? bytes;
            for (var i = 0; i < span.Length; i++)
            {
                if (span[i] is < 0x20 or >= 0x7f)
                {
                    throw new NixFormatException(Format, at, $"{what} contains byte 0x{span[i]:x2}");
                }
            }
            return Encoding.ASCII.GetString(span);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private byte[] ReadString()
        {
            var bytes = ReadStringSpan(out var owned);
            return owned ?? bytes.ToArray();
        }

        /// <summary>
        /// Returns the string body as a slice of the input when it has no escapes; otherwise
        /// unescapes into <paramref name="owned"/>. <c>\n \r \t</c> map to control bytes and a
        /// backslash before any other byte yields that byte.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private ReadOnlySpan<byte> ReadStringSpan(out byte[]? owned)
        {
            owned = null;
            var start = _pos;
            if (_pos >= _input.Length || _input[_pos] != (byte)'"')
            {
                throw Error("expected '\"'");
            }
            if (!ATermStrings.TryScan(_input, start, out var end, out var escaped))
            {
                throw new NixFormatException(Format, start, "unterminated string");
            }
            _pos = end + 1;
            var body = _input[(start + 1)..end];
            if (!escaped)
            {
                return body;
            }
            var unescaped = new byte[body.Length];
            owned = unescaped[..ATermStrings.Unescape(body, unescaped)];
            return owned;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Expect(string token)
        {
            for (var i = 0; i < token.Length; i++)
            {
                if (_pos >= _input.Length)
                {
                    throw Error($"unexpected end of input, expected '{token}'");
                }
                if (_input[_pos] != (byte)token[i])
                {
                    throw Error($"expected '{token}'");
                }
                _pos++;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private bool TryConsume(byte c)
        {
            if (_pos < _input.Length && _input[_pos] == c)
            {
                _pos++;
                return true;
            }
            if (_pos >= _input.Length)
            {
                throw Error("unexpected end of input");
            }
            return false;
        }

        private readonly NixFormatException Error(string reason) => new(Format, _pos, reason);
    }
}
