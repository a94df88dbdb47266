namespace Vigil.Farm.Scheduling;

/// <summary>
/// Counters since the scheduler started. IdleSlotTime: for every dispatch, the time its slot and its
/// step had both been waiting (slot free since its last step ended, step runnable since it became
/// so), i.e. slot time lost while runnable work existed. LiveSteps: steps not finished.
/// </summary>
public sealed record SchedulerStats(int LiveSteps, long Dispatched, long Succeeded, long Failed, long Retried, long Cancelled, int Runnable, int Running, int UnfinishedBuilds, TimeSpan IdleSlotTime);
