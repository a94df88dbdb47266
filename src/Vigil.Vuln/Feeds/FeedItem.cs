namespace Vigil.Vuln.Feeds;

/// <summary>One record read from a feed file, or the reason it could not be (then <see cref="Record"/> is null).</summary>
/// <param name="File">The file it came from.</param>
/// <param name="ContentHash">Hex SHA-256 (first 128 bits) of the record's JSON bytes as read.</param>
/// <param name="Error">Why the record or file is malformed; names the item index for multi-record files.</param>
public sealed record FeedItem(string File, VulnRecord? Record, string? ContentHash, string? Error);
