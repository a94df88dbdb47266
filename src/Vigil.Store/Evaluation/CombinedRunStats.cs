namespace Vigil.Store.Evaluation;

/// <summary>What a <see cref="CombinedEvaluator"/> run did.</summary>
/// <param name="Attributes">Root attributes the read-only pass evaluated.</param>
/// <param name="AlreadyInStore">Of those, attributes whose <c>.drv</c> file was already in the store.</param>
/// <param name="Instantiated">Attributes handed to <c>nix-instantiate</c> (0: no writing call was made).</param>
public sealed record CombinedRunStats(int Attributes, int AlreadyInStore, int Instantiated);
