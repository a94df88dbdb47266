using Vigil.Protocol.V1;

namespace Vigil.Builder;

/// <summary>How one run of <c>nix-store --realise</c> ended: a classification, Nix's exit code (-1 when killed), the log's size and tail.</summary>
internal sealed record BuildOutcome(StepStatus Status, int ExitCode, string Message, ulong LogBytes);
