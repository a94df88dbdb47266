using System.Diagnostics;
using System.Text;
using CsCheck;
using Vigil.Fod.Attestation;
using Vigil.Nix.Signatures;

namespace Vigil.Fod.Tests.Attestation;

public sealed class AttestationTests
{
    // Made by Nix 2.8.0: `nix-store --generate-binary-cache-key test-1 sec pub` (throw-away test keys,
    // the same as tests/Vigil.Nix.Tests/Signatures/NixKeyVectors.cs).
    private const string NixSecret = "test-1:niY1kd9wINStXbKtnpWzs4IKtfG4w5NHxrmlcU74CnuRDAtGni7nOP6aRl7W2B5up59o4q6eRXnXm9lxDGLvVQ==";
    private const string NixPublic = "test-1:kQwLRp4u5zj+mkZe1tgebqefaOKunkV515vZcQxi71U=";

    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 30, 5, TimeSpan.Zero);

    private static readonly AttestedFod Flat = new(
        "/nix/store/0c8vml7kd5kgbvqd4xf2lg0zj1ygb9pg-hello-2.12.tar.gz.drv", "/nix/store/1ydvpqk7d4x7jw4l1x2jw6z4vy1lb2cs-hello-2.12.tar.gz",
        "5f9d2b6a4c1e8f7a3b0d9c2e1f4a6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a", "sha256-jZkUKv2SV28wsM18tCqNxoCZmLxdYH2Idh9RLibH2yA=", "flat",
        "native", "http://127.0.0.1:8080/hello-2.12.tar.gz?a=b&c=d+e", T0.AddTicks(1234560));

    private static readonly AttestedFod Rebuilt = new(
        "/nix/store/2v0x4g5zp1q8rn4yz8jw4kfl0r6s7y9a-source.drv", "/nix/store/3a6y5n2qk9rcr4l0x5s1jz7mb8v9w0c2-source",
        "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9", "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "recursive",
        "rebuild", null, T0.AddDays(-3));

    private static AttestationStatement Statement(string issuer, params AttestedFod[] fods) => new("release-26.05", T0, issuer, fods);

    private static TrustedKeys Trust(params NixPublicKey[] keys) => new(keys);

    private static void AssertSame(AttestationStatement expected, AttestationStatement actual)
    {
        Assert.Equal((expected.Revision, expected.IssuedAt, expected.Issuer), (actual.Revision, actual.IssuedAt, actual.Issuer));
        Assert.Equal(expected.Fods, actual.Fods);
    }

    [Fact]
    public void A_signed_bundle_verifies_and_gives_back_its_statement()
    {
        using var key = NixSigningKey.Generate("vigil-test-1");
        var statement = Statement(key.Name, Flat, Rebuilt);

        var file = AttestationSigner.Sign(statement, key);
        var verified = AttestationVerifier.Verify(file, Trust(key.PublicKey));

        Assert.Equal("vigil-test-1", verified.KeyName);
        AssertSame(statement, verified.Statement);
        Assert.Equal((byte)'\n', file[^1]);
        // Deterministic: Ed25519 and the canonical JSON give the same bytes for the same statement and key.
        Assert.Equal(file, AttestationSigner.Sign(statement, key));
        // The final newline is optional (editors and `echo -n` differ); it is not signed.
        AssertSame(statement, AttestationVerifier.Verify(file.AsSpan(0, file.Length - 1), Trust(key.PublicKey)).Statement);
    }

    [Fact]
    public void The_payload_is_the_documented_json_in_fixed_field_order()
    {
        var payload = Encoding.UTF8.GetString(AttestationPayload.Write(Statement("k", Flat, Rebuilt)));
        // Single quotes stand for double quotes, for legibility.
        Assert.Equal(
            "{'_type':'vigil.fod-verification.v1','revision':'release-26.05','issuedAt':'2026-03-01T12:30:05.000000Z','issuer':'k','fods':[" +
            "{'drvPath':'/nix/store/0c8vml7kd5kgbvqd4xf2lg0zj1ygb9pg-hello-2.12.tar.gz.drv','outputPath':'/nix/store/1ydvpqk7d4x7jw4l1x2jw6z4vy1lb2cs-hello-2.12.tar.gz'," +
            "'recipeHash':'5f9d2b6a4c1e8f7a3b0d9c2e1f4a6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a','hash':'sha256-jZkUKv2SV28wsM18tCqNxoCZmLxdYH2Idh9RLibH2yA=','hashMode':'flat'," +
            "'method':'native','url':'http://127.0.0.1:8080/hello-2.12.tar.gz?a=b&c=d+e','verifiedAt':'2026-03-01T12:30:05.123456Z'}," +
            "{'drvPath':'/nix/store/2v0x4g5zp1q8rn4yz8jw4kfl0r6s7y9a-source.drv','outputPath':'/nix/store/3a6y5n2qk9rcr4l0x5s1jz7mb8v9w0c2-source'," +
            "'recipeHash':'0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9','hash':'sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=','hashMode':'recursive'," +
            "'method':'rebuild','url':null,'verifiedAt':'2026-02-26T12:30:05.000000Z'}]}",
            payload.Replace('"', '\''));
    }

    [Fact]
    public void The_envelope_is_dsse_signed_over_the_pre_authentication_encoding()
    {
        // The DSSE specification's own example.
        Assert.Equal("DSSEv1 29 http://example.com/HelloWorld 11 hello world",
            Encoding.UTF8.GetString(DsseEnvelope.Pae("http://example.com/HelloWorld", "hello world"u8)));

        using var key = NixSigningKey.Generate("k");
        var file = AttestationSigner.Sign(Statement("k", Flat), key);
        var envelope = DsseEnvelope.Parse(file);
        Assert.Equal(AttestationStatement.PayloadType, envelope.PayloadType);
        var signature = Assert.Single(envelope.Signatures);
        Assert.Equal("k", signature.KeyId);
        Assert.True(key.PublicKey.Verify(DsseEnvelope.Pae(envelope.PayloadType, envelope.Payload.Span), new NixSignature("k", signature.Sig.Span)));
        Assert.StartsWith("""{"payloadType":"application/vnd.vigil.fod-verification.v1+json","payload":"eyJfdHlwZSI6""", Encoding.ASCII.GetString(file), StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_made_by_nix_store_generate_binary_cache_key_sign_and_verify()
    {
        using var key = NixSigningKey.Parse(NixSecret);
        var file = AttestationSigner.Sign(Statement("test-1", Flat), key);
        Assert.Equal("test-1", AttestationVerifier.Verify(file, TrustedKeys.Parse(NixPublic + "\n")).KeyName);
    }

    [Fact]
    public void Keys_freshly_made_by_the_installed_nix_sign_and_verify()
    {
        var dir = Directory.CreateTempSubdirectory("vigil-attest-keys-").FullName;
        try
        {
            var start = new ProcessStartInfo("nix-store") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var arg in new[] { "--generate-binary-cache-key", "cache.example.org-1", Path.Combine(dir, "sec"), Path.Combine(dir, "pub") })
            {
                start.ArgumentList.Add(arg);
            }
            // Its own chroot store and HOME: this test must not touch /nix or the user's settings.
            start.Environment["NIX_REMOTE"] = "local?root=" + Path.Combine(dir, "chroot");
            start.Environment["HOME"] = dir;
            Process? nix = null;
            try
            {
                nix = Process.Start(start);
            }
            catch (System.ComponentModel.Win32Exception)
            {
            }
            Assert.SkipWhen(nix is null, "nix-store is not installed");
            using (nix)
            {
                nix!.WaitForExit();
                Assert.True(nix.ExitCode == 0, nix.StandardError.ReadToEnd());
            }
            using var key = NixSigningKey.Parse(File.ReadAllText(Path.Combine(dir, "sec")));
            var file = AttestationSigner.Sign(Statement(key.Name, Flat, Rebuilt), key);
            var verified = AttestationVerifier.Verify(file, TrustedKeys.Parse(File.ReadAllText(Path.Combine(dir, "pub"))));
            Assert.Equal("cache.example.org-1", verified.KeyName);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Another_key_of_the_same_name_is_a_bad_signature_and_an_unknown_name_is_reported()
    {
        using var key = NixSigningKey.Generate("release");
        using var impostor = NixSigningKey.Generate("release");
        using var other = NixSigningKey.Generate("other");
        var file = AttestationSigner.Sign(Statement("release", Flat), key);

        var bad = Assert.Throws<AttestationException>(() => AttestationVerifier.Verify(file, Trust(impostor.PublicKey)));
        Assert.Equal(AttestationFailure.BadSignature, bad.Failure);

        var unknown = Assert.Throws<AttestationException>(() => AttestationVerifier.Verify(file, Trust(other.PublicKey)));
        Assert.Equal((AttestationFailure.UnknownKey, "unknown-key"), (unknown.Failure, unknown.FailureName));
        Assert.Contains("'release', which is not trusted (trusted: 'other')", unknown.Message, StringComparison.Ordinal);

        // The right key under another name: still refused (names are what trust is configured by), but the message says why.
        var renamed = new NixPublicKey("renamed", key.PublicKey.Bytes);
        var mismatch = Assert.Throws<AttestationException>(() => AttestationVerifier.Verify(file, Trust(renamed)));
        Assert.Equal(AttestationFailure.UnknownKey, mismatch.Failure);
        Assert.Contains("key name mismatch", mismatch.Message, StringComparison.Ordinal);

        // With several trusted keys, the one named by the signature is used.
        Assert.Equal("release", AttestationVerifier.Verify(file, Trust(other.PublicKey, key.PublicKey)).KeyName);
    }

    /// <summary>
    /// Every byte of a small envelope, each changed in several ways: all must fail, with the
    /// documented exception only. Then CsCheck over random positions and values on a larger one.
    /// </summary>
    [Fact]
    public void Changing_any_single_byte_of_the_envelope_fails_verification()
    {
        using var key = NixSigningKey.Generate("k-1");
        var trusted = Trust(key.PublicKey);
        var file = AttestationSigner.Sign(Statement("k-1", Flat), key);
        byte[] masks = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xFF, 0x2A];
        for (var i = 0; i < file.Length; i++)
        {
            foreach (var mask in masks)
            {
                var changed = (byte[])file.Clone();
                changed[i] ^= mask;
                AssertRejected(changed, trusted, i);
            }
        }

        var big = AttestationSigner.Sign(Statement("k-1", Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? Flat : Rebuilt) with { DrvPath = $"/nix/store/x{i}.drv" }).ToArray()), key);
        Gen.Select(Gen.Int[0, big.Length - 1], Gen.Byte[1, 255]).Sample((at, mask) =>
        {
            var changed = (byte[])big.Clone();
            changed[at] ^= mask;
            AssertRejected(changed, trusted, at);
        }, iter: 5000);
    }

    private static void AssertRejected(byte[] changed, TrustedKeys trusted, int at)
    {
        try
        {
            AttestationVerifier.Verify(changed, trusted);
        }
        catch (AttestationException)
        {
            return;
        }
        Assert.Fail($"a change at byte {at} was accepted: {Encoding.ASCII.GetString(changed)}");
    }

    [Fact]
    public void Each_part_changed_fails_in_its_own_way()
    {
        using var key = NixSigningKey.Generate("k");
        var trusted = Trust(key.PublicKey);
        var file = Encoding.ASCII.GetString(AttestationSigner.Sign(Statement("k", Flat), key));
        var envelope = DsseEnvelope.Parse(Encoding.ASCII.GetBytes(file));
        AttestationFailure FailureOf(string text) => Assert.Throws<AttestationException>(() => AttestationVerifier.Verify(Encoding.UTF8.GetBytes(text), trusted)).Failure;

        // The key id: an unknown key (here with the mismatch hint, as the signature is the trusted key's).
        Assert.Equal(AttestationFailure.UnknownKey, FailureOf(file.Replace("\"keyid\":\"k\"", "\"keyid\":\"j\"", StringComparison.Ordinal)));
        // The payload type, re-encoded canonically: the signature covers it.
        Assert.Equal(AttestationFailure.BadSignature, FailureOf(Encoding.ASCII.GetString(
            new DsseEnvelope("application/vnd.in-toto+json", envelope.Payload, envelope.Signatures).ToBytes())));
        // A statement with one character changed, re-encoded canonically.
        var payload = Encoding.UTF8.GetString(envelope.Payload.Span).Replace("\"flat\"", "\"recursive\"", StringComparison.Ordinal);
        Assert.Equal(AttestationFailure.BadSignature, FailureOf(Encoding.ASCII.GetString(
            new DsseEnvelope(envelope.PayloadType, Encoding.UTF8.GetBytes(payload), envelope.Signatures).ToBytes())));
        // Reformatted (pretty-printed) JSON: refused, and the message says so.
        var pretty = file.Replace(",", ",\n  ", StringComparison.Ordinal);
        var reformatted = Assert.Throws<AttestationException>(() => AttestationVerifier.Verify(Encoding.UTF8.GetBytes(pretty), trusted));
        Assert.Contains("reformatted", reformatted.Message, StringComparison.Ordinal);
        // An unsigned envelope, and a second signature nobody trusts.
        Assert.Equal(AttestationFailure.Malformed, FailureOf(Encoding.ASCII.GetString(new DsseEnvelope(envelope.PayloadType, envelope.Payload, []).ToBytes())));
        using var stranger = NixSigningKey.Generate("stranger");
        var cosigned = new DsseEnvelope(envelope.PayloadType, envelope.Payload,
            [.. envelope.Signatures, new DsseSignature("stranger", stranger.Sign(envelope.Pae()).Bytes.ToArray())]);
        Assert.Equal(AttestationFailure.UnknownKey, FailureOf(Encoding.ASCII.GetString(cosigned.ToBytes())));
    }

    [Fact]
    public void A_validly_signed_envelope_that_is_not_a_vigil_statement_is_malformed()
    {
        using var key = NixSigningKey.Generate("k");
        var trusted = Trust(key.PublicKey);
        string Message(string payloadType, string payload)
        {
            var bytes = Encoding.UTF8.GetBytes(payload);
            var file = new DsseEnvelope(payloadType, bytes, [new DsseSignature("k", key.Sign(DsseEnvelope.Pae(payloadType, bytes)).Bytes.ToArray())]).ToBytes();
            var e = Assert.Throws<AttestationException>(() => AttestationVerifier.Verify(file, trusted));
            Assert.Equal(AttestationFailure.Malformed, e.Failure);
            return e.Message;
        }
        var good = Encoding.UTF8.GetString(AttestationPayload.Write(Statement("k", Flat)));
        var type = AttestationStatement.PayloadType;

        Assert.Contains("not a Vigil FOD attestation", Message("application/vnd.in-toto+json", good), StringComparison.Ordinal);
        Assert.Contains("issuer", Message(type, good.Replace("\"issuer\":\"k\"", "\"issuer\":\"someone-else\"", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("twice", Message(type, good.Replace("\"revision\":", "\"revision\":\"x\",\"revision\":", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("unknown field 'extra'", Message(type, good.Replace("\"hashMode\":", "\"extra\":1,\"hashMode\":", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("no 'url'", Message(type, good.Replace("\"url\":", "\"urk\":", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("not a UTC time", Message(type, good.Replace(".000000Z", "+01:00", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("vigil.fod-verification.v1", Message(type, good.Replace(".v1\"", ".v2\"", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("not valid JSON", Message(type, good[..^1]), StringComparison.Ordinal);
        Assert.Contains("invalid string", Message(type, good.Replace("release-26.05", "\\ud800", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_statement_that_is_not_utf8_is_malformed() =>
        Assert.Contains("not valid UTF-8", Assert.Throws<AttestationException>(() => AttestationPayload.Read(new byte[] { 0x22, 0xFF, 0x22 })).Message, StringComparison.Ordinal);

    [Fact]
    public void Any_bytes_at_all_give_the_documented_exception_and_nothing_else()
    {
        using var key = NixSigningKey.Generate("k");
        var trusted = Trust(key.PublicKey);
        string[] texts = ["", "\n", "{}", "[]", "null", "{\"payloadType\":1}", "{\"payloadType\":\"a\",\"payload\":\"!!\",\"signatures\":[]}",
            "{\"payloadType\":\"a\",\"payload\":\"\",\"signatures\":[{\"keyid\":\"k\",\"sig\":\"AAAA\"}]}", new string('[', 10000)];
        foreach (var text in texts)
        {
            Assert.Throws<AttestationException>(() => AttestationVerifier.Verify(Encoding.UTF8.GetBytes(text), trusted));
        }
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            Assert.Throws<AttestationException>(() => AttestationVerifier.Verify(bytes, trusted));
        }, iter: 2000);
        // Canonical-looking envelopes with random fields: structure right, contents wrong.
        var field = Gen.Char["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=-.:"].Array[0, 100].Select(c => new string(c));
        Gen.Select(field, field, field, field).Sample((type, payload, keyId, sig) =>
        {
            var text = $"{{\"payloadType\":\"{type}\",\"payload\":\"{payload}\",\"signatures\":[{{\"keyid\":\"{keyId}\",\"sig\":\"{sig}\"}}]}}\n";
            Assert.Throws<AttestationException>(() => AttestationVerifier.Verify(Encoding.ASCII.GetBytes(text), trusted));
        }, iter: 2000);
    }

    [Fact]
    public void Random_statements_round_trip()
    {
        using var key = NixSigningKey.Generate("k");
        var trusted = Trust(key.PublicKey);
        var text = Gen.Char.Array[1, 30].Select(c => new string(c)).Where(s => !s.Any(char.IsSurrogate));
        var time = Gen.Long[0, 4_000_000_000_000_000L].Select(us => DateTimeOffset.UnixEpoch.AddTicks(us * 10));
        var fod = Gen.Select(text, text, text, text, Gen.Select(text, text, text.Null(), time), (d, o, r, h, rest) =>
            new AttestedFod(d, o, r, h, rest.Item1, rest.Item2, rest.Item3, rest.Item4));
        Gen.Select(text, time, fod.Array[0, 5]).Sample((revision, issuedAt, fods) =>
        {
            var statement = new AttestationStatement(revision, issuedAt, "k", fods);
            AssertSame(statement, AttestationVerifier.Verify(AttestationSigner.Sign(statement, key), trusted).Statement);
        }, iter: 300);
    }

    [Fact]
    public void Signing_refuses_a_key_name_the_envelope_cannot_carry_or_an_issuer_that_is_not_the_key()
    {
        using var unicode = NixSigningKey.Generate("schlüssel");
        Assert.Contains("printable ASCII", Assert.Throws<ArgumentException>(() => AttestationSigner.Sign(Statement("schlüssel", Flat), unicode)).Message, StringComparison.Ordinal);
        using var key = NixSigningKey.Generate("k");
        Assert.Throws<ArgumentException>(() => AttestationSigner.Sign(Statement("not-k", Flat), key));
    }

    [Fact]
    public void Per_fod_files_are_named_after_the_drv()
    {
        Assert.Equal("0c8vml7kd5kgbvqd4xf2lg0zj1ygb9pg-hello-2.12.tar.gz.attestation.json", AttestationExport.FileName(Flat));
    }
}
