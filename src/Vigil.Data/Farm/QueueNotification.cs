namespace Vigil.Data.Farm;

/// <summary>One change to the queue, as the database announced it.</summary>
public sealed record QueueNotification(QueueNotificationKind Kind, long Id, int Value);
