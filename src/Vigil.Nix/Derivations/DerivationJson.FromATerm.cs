using System.Buffers;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Derivations;

public sealed partial class DerivationJson
{
    /// <summary>
    /// Appends the same member as <see cref="Add"/> would for the parsed <paramref name="aterm"/>,
    /// straight from its bytes: no model, no per-field arrays (one pass over a 41k-drv closure
    /// otherwise spends as much in the allocator and the collector as in parsing). Only the form
    /// Nix itself writes is taken here (lists and environment strictly sorted, names, paths and
    /// environment keys without escapes); for anything else, malformed or merely unusual, this
    /// returns false after writing an unspecified part of the member, and the caller discards it
    /// and goes through <see cref="ATermReader.Parse"/>, which reports the error or gives the model.
    /// Whatever this accepts, the parser accepts too and <see cref="Add"/> prints identically.
    /// </summary>
    /// <param name="name">The derivation name (from its file name): fixed outputs' paths depend on it.</param>
    /// <param name="closureInputs">Receives the paths a closure walk follows: every input derivation, and every input source that is a <c>.drv</c>.</param>
    public bool TryAddFromATerm(string drvPath, ReadOnlySpan<byte> aterm, string name, ICollection<string> closureInputs)
    {
        ArgumentNullException.ThrowIfNull(closureInputs);
        if (aterm.Length > ATermReader.MaxSize)
        {
            return false;
        }
        Ascii(_any ? ",\n  "u8 : "\n  "u8);
        _any = true;
        String(drvPath);
        Ascii(": {\n    \"outputs\": "u8);
        var reader = new Transcoder(this, aterm, ValidatedPathCache.For(_storeDir));
        return reader.Member(name, closureInputs);
    }

    /// <summary>The text between the quotes of an ATerm string, escapes undone, JSON-escaped.</summary>
    private void StringFromATerm(ReadOnlySpan<byte> body)
    {
        // Undoing escapes only shortens the text; worst case every byte becomes \u00xx.
        var span = _out.GetSpan((body.Length * 6) + 2);
        span[0] = (byte)'"';
        var n = 1;
        while (true)
        {
            var backslash = body.IndexOf((byte)'\\');
            if (backslash < 0)
            {
                n += Escape(body, span[n..]);
                break;
            }
            n += Escape(body[..backslash], span[n..]);
            n += EscapeByte(ATermStrings.Unescape(body[backslash + 1]), span[n..]);
            body = body[(backslash + 2)..];
        }
        span[n++] = (byte)'"';
        _out.Advance(n);
    }

    private ref struct Transcoder
    {
        private static readonly SearchValues<byte> Nix32Digits = SearchValues.Create("0123456789abcdfghijklmnpqrsvwxyz"u8);

        private readonly DerivationJson _json;
        private readonly ReadOnlySpan<byte> _in;
        private readonly ValidatedPathCache _paths;
        private int _pos;

        public Transcoder(DerivationJson json, ReadOnlySpan<byte> input, ValidatedPathCache paths)
        {
            _json = json;
            _in = input;
            _paths = paths;
            _pos = 0;
        }

        public bool Member(string name, ICollection<string> closureInputs)
        {
            if (!Literal("Derive("u8) || !Outputs(name) || !Literal(","u8))
            {
                return false;
            }
            // JSON puts inputSrcs before inputDrvs, the ATerm the other way round: check the input
            // derivations (collecting them) first, then print them after the sources.
            var inputDrvsAt = _pos;
            if (!InputDrvs(closureInputs, write: false) || !Literal(","u8))
            {
                return false;
            }
            _json.Ascii(",\n    \"inputSrcs\": "u8);
            if (!InputSrcs(closureInputs))
            {
                return false;
            }
            var afterSources = _pos;
            _pos = inputDrvsAt;
            _json.Ascii(",\n    \"inputDrvs\": "u8);
            InputDrvs(closureInputs, write: true);
            _pos = afterSources;
            // The platform is written back unescaped by Nix, so the parser rejects a quote or a
            // backslash in it; without escapes it can hold neither.
            if (!Literal(","u8) || !String(out var platform, out var escaped) || escaped)
            {
                return false;
            }
            _json.Ascii(",\n    \"system\": "u8);
            _json.String(platform);
            if (!Literal(","u8) || !String(out var builder, out escaped))
            {
                return false;
            }
            _json.Ascii(",\n    \"builder\": "u8);
            WriteString(builder, escaped);
            _json.Ascii(",\n    \"args\": "u8);
            if (!Literal(","u8) || !Args() || !Literal(","u8))
            {
                return false;
            }
            _json.Ascii(",\n    \"env\": "u8);
            if (!Env() || !Literal(")"u8) || _pos != _in.Length)
            {
                return false;
            }
            _json.Ascii("\n  }"u8);
            return true;
        }

        private bool Outputs(string drvName)
        {
            if (!Literal("["u8))
            {
                return false;
            }
            ReadOnlySpan<byte> previous = default;
            var count = 0;
            while (!AtListEnd(out var fail))
            {
                if (fail || (count > 0 && !Literal(","u8)) || !Literal("("u8)
                    || !String(out var outName, out var escaped) || escaped || !StorePathName.IsValid(outName)
                    || (count > 0 && outName.SequenceCompareTo(previous) <= 0)
                    || !Literal(","u8) || !PrintableField(out var path) || (path.Length > 0 && !IsStorePath(path))
                    || !Literal(","u8) || !PrintableField(out var algo)
                    || !Literal(","u8) || !PrintableField(out var hash) || !Literal(")"u8))
                {
                    return false;
                }
                DerivationOutput output;
                try
                {
                    output = new DerivationOutput(
                        System.Text.Encoding.ASCII.GetString(outName), System.Text.Encoding.ASCII.GetString(path),
                        System.Text.Encoding.ASCII.GetString(algo), System.Text.Encoding.ASCII.GetString(hash));
                }
                catch (NixFormatException)
                {
                    return false;
                }
                _json.Ascii(count == 0 ? "{\n      "u8 : ",\n      "u8);
                _json.String(outName);
                _json.Ascii(": "u8);
                _json.WriteOutput(drvName, output);
                previous = outName;
                count++;
            }
            _json.Ascii(count == 0 ? "{}"u8 : "\n    }"u8);
            return true;
        }

        /// <summary>Checks the input derivations and collects them (<paramref name="write"/> false), or prints them (true, once checked).</summary>
        private bool InputDrvs(ICollection<string> closureInputs, bool write)
        {
            if (!Literal("["u8))
            {
                return false;
            }
            ReadOnlySpan<byte> previous = default;
            var count = 0;
            while (!AtListEnd(out var fail))
            {
                if (fail || (count > 0 && !Literal(","u8)) || !Literal("("u8)
                    || !String(out var path, out var escaped) || escaped
                    || (count > 0 && path.SequenceCompareTo(previous) <= 0)
                    || StorePath(path) is not { } pathString
                    || !Literal(","u8) || !Literal("["u8))
                {
                    return false;
                }
                if (write)
                {
                    _json.Ascii(count == 0 ? "{\n      "u8 : ",\n      "u8);
                    _json.String(path);
                    _json.Ascii(": "u8);
                }
                else
                {
                    closureInputs.Add(pathString);
                }
                ReadOnlySpan<byte> previousOutput = default;
                var outputs = 0;
                while (!AtListEnd(out fail))
                {
                    if (fail || (outputs > 0 && !Literal(","u8))
                        || !String(out var output, out escaped) || escaped || !StorePathName.IsValid(output)
                        || (outputs > 0 && output.SequenceCompareTo(previousOutput) <= 0))
                    {
                        return false;
                    }
                    if (write)
                    {
                        _json.Ascii(outputs == 0 ? "[\n        "u8 : ",\n        "u8);
                        _json.String(output);
                    }
                    previousOutput = output;
                    outputs++;
                }
                if (!Literal(")"u8))
                {
                    return false;
                }
                if (write)
                {
                    _json.Ascii(outputs == 0 ? "[]"u8 : "\n      ]"u8);
                }
                previous = path;
                count++;
            }
            if (write)
            {
                _json.Ascii(count == 0 ? "{}"u8 : "\n    }"u8);
            }
            return true;
        }

        private bool InputSrcs(ICollection<string> closureInputs)
        {
            if (!Literal("["u8))
            {
                return false;
            }
            ReadOnlySpan<byte> previous = default;
            var count = 0;
            while (!AtListEnd(out var fail))
            {
                if (fail || (count > 0 && !Literal(","u8))
                    || !String(out var path, out var escaped) || escaped
                    || (count > 0 && path.SequenceCompareTo(previous) <= 0)
                    || StorePath(path) is not { } pathString)
                {
                    return false;
                }
                if (path.EndsWith(".drv"u8))
                {
                    closureInputs.Add(pathString);
                }
                _json.Ascii(count == 0 ? "[\n      "u8 : ",\n      "u8);
                _json.String(path);
                previous = path;
                count++;
            }
            _json.Ascii(count == 0 ? "[]"u8 : "\n    ]"u8);
            return true;
        }

        private bool Args()
        {
            if (!Literal("["u8))
            {
                return false;
            }
            var count = 0;
            while (!AtListEnd(out var fail))
            {
                if (fail || (count > 0 && !Literal(","u8)) || !String(out var arg, out var escaped))
                {
                    return false;
                }
                _json.Ascii(count == 0 ? "[\n      "u8 : ",\n      "u8);
                WriteString(arg, escaped);
                count++;
            }
            _json.Ascii(count == 0 ? "[]"u8 : "\n    ]"u8);
            return true;
        }

        private bool Env()
        {
            if (!Literal("["u8))
            {
                return false;
            }
            ReadOnlySpan<byte> previous = default;
            var count = 0;
            while (!AtListEnd(out var fail))
            {
                // Keys must already be in byte order (as Nix writes them) and unescaped, so the
                // raw bytes compare as the parsed keys would.
                if (fail || (count > 0 && !Literal(","u8)) || !Literal("("u8)
                    || !String(out var key, out var escaped) || escaped
                    || (count > 0 && key.SequenceCompareTo(previous) <= 0)
                    || !Literal(","u8) || !String(out var value, out escaped) || !Literal(")"u8))
                {
                    return false;
                }
                _json.Ascii(count == 0 ? "{\n      "u8 : ",\n      "u8);
                _json.String(key);
                _json.Ascii(": "u8);
                WriteString(value, escaped);
                previous = key;
                count++;
            }
            _json.Ascii(count == 0 ? "{}"u8 : "\n    }"u8);
            return true;
        }

        private readonly void WriteString(ReadOnlySpan<byte> body, bool escaped)
        {
            if (escaped)
            {
                _json.StringFromATerm(body);
            }
            else
            {
                _json.String(body);
            }
        }

        /// <summary>
        /// A validated store path of this store, as the parser's path fields require; from the
        /// shared cache when seen before (the parser fills it too), else checked and added.
        /// </summary>
        private readonly string? StorePath(ReadOnlySpan<byte> path)
        {
            if (_paths.Find(path, out var slot) is { } known)
            {
                return known;
            }
            if (path.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7e) >= 0 || !IsStorePath(path))
            {
                return null;
            }
            var text = System.Text.Encoding.ASCII.GetString(path);
            _paths.Add(slot, path, text);
            return text;
        }

        /// <summary><see cref="StoreDir.Parse"/>'s rules, on printable ASCII bytes.</summary>
        private readonly bool IsStorePath(ReadOnlySpan<byte> path)
        {
            var prefix = _paths.Prefix;
            if (!path.StartsWith(prefix))
            {
                return false;
            }
            var baseName = path[prefix.Length..];
            return baseName.Length > StorePaths.StorePath.HashLength
                && baseName.IndexOf((byte)'/') < 0
                && baseName[..StorePaths.StorePath.HashLength].IndexOfAnyExcept(Nix32Digits) < 0
                && baseName[StorePaths.StorePath.HashLength] == (byte)'-'
                && StorePathName.IsValid(baseName[(StorePaths.StorePath.HashLength + 1)..]);
        }

        /// <summary>A string field the parser reads as printable ASCII (output paths, algorithms, hashes).</summary>
        private bool PrintableField(out ReadOnlySpan<byte> body) =>
            String(out body, out var escaped) && !escaped && body.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7e) < 0;

        /// <summary>
        /// A quoted string: its raw body (escapes not undone) and whether it has any. False for
        /// anything the parser would reject (no quote, unterminated, a trailing lone backslash).
        /// </summary>
        private bool String(out ReadOnlySpan<byte> body, out bool escaped)
        {
            body = default;
            if (!ATermStrings.TryScan(_in, _pos, out var end, out escaped))
            {
                return false;
            }
            body = _in[(_pos + 1)..end];
            _pos = end + 1;
            return true;
        }

        private bool Literal(ReadOnlySpan<byte> token)
        {
            if (!_in[_pos..].StartsWith(token))
            {
                return false;
            }
            _pos += token.Length;
            return true;
        }

        /// <summary>True (and consumed) at a <c>]</c>; <paramref name="fail"/> at the end of the input.</summary>
        private bool AtListEnd(out bool fail)
        {
            fail = _pos >= _in.Length;
            if (!fail && _in[_pos] == (byte)']')
            {
                _pos++;
                return true;
            }
            return false;
        }
    }
}
