namespace Vigil.Data.Farm;

/// <summary>What changed in the queue (PostgreSQL channels <c>vigil_builds_added</c>, <c>vigil_build_cancelled</c>, <c>vigil_build_bumped</c>, <c>vigil_jobset_shares</c>).</summary>
public enum QueueNotificationKind
{
    /// <summary>Builds were queued; Id is the lowest new build id.</summary>
    BuildsAdded,

    /// <summary>A build was cancelled; Id is the build.</summary>
    BuildCancelled,

    /// <summary>A build's global priority was raised; Id is the build, Value the new priority.</summary>
    BuildBumped,

    /// <summary>A jobset's scheduling shares changed; Id is the jobset, Value the new shares.</summary>
    SharesChanged,
}
