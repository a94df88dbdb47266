namespace Vigil.Store.Evaluation;

/// <summary>What the walker's <c>names</c> mode says about a path: <c>drv</c>, <c>set</c>, <c>list</c> or <c>other</c>.</summary>
internal sealed record WalkerNames(string Kind, bool Recurse, IReadOnlyList<string> Names);
