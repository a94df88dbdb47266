namespace Vigil.Farm.Graph;

/// <summary>What the scheduler knows of a derivation, published for closure walks running beside it.</summary>
public enum StepMark
{
    /// <summary>A step exists and is not finished: a walk stops there and the build attaches to it.</summary>
    Live,

    /// <summary>Built in this run: its outputs exist.</summary>
    Succeeded,

    /// <summary>Failed permanently in this run.</summary>
    Failed,
}
