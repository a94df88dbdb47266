using Vigil.Vuln.Feeds;

namespace Vigil.Vuln.Matching;

/// <summary>One affected product of a record found for a package through the index, and what matching made of it.</summary>
/// <param name="Confidence">0–1: how sure the match is the same project (see docs/vuln.md).</param>
/// <param name="Evidence">Why: which field matched which name or identity, which range holds the version (or why it was rejected).</param>
public sealed record MatchCandidate(VulnRecord Record, AffectedEntry Entry, MatchOutcome Outcome, double Confidence, IReadOnlyList<string> Evidence);
