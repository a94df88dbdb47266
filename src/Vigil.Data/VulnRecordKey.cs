namespace Vigil.Data;

/// <summary>A stored feed record's identity and content hash: what an import compares a feed against.</summary>
public sealed record VulnRecordKey(string Source, string RecordId, string ContentHash);
