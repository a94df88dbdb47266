namespace Vigil.Store.Evaluation;

/// <summary>Tuning shared by the Nix-backed evaluators.</summary>
/// <param name="Jobs">Evaluator processes run in parallel (<c>--jobs N</c>): the top-level attributes
/// are dealt round-robin into that many groups, one <c>nix-instantiate</c> each.</param>
/// <param name="ErrorMessageLimit">How many attributes caught by <c>builtins.tryEval</c> (which hides
/// the message) are re-evaluated one by one to get Nix's message; the rest get a generic one.</param>
public sealed record EvaluatorOptions(int Jobs = 1, int ErrorMessageLimit = 50)
{
    public static EvaluatorOptions Default { get; } = new();

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Jobs, 1, nameof(Jobs));
        ArgumentOutOfRangeException.ThrowIfNegative(ErrorMessageLimit, nameof(ErrorMessageLimit));
    }
}
