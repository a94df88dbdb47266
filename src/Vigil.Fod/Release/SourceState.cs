namespace Vigil.Fod.Release;

/// <summary>Whether an FOD's source is known to be fetchable as its hash says, by its latest verification.</summary>
public enum SourceState
{
    /// <summary>The latest verification was ok.</summary>
    Ok,

    /// <summary>The latest verification failed (mismatch, unreachable or build failure).</summary>
    Broken,

    /// <summary>Never verified.</summary>
    Unchecked,
}
