namespace Vigil.Fod.Detection;

/// <summary>
/// Every added or changed FOD, as a note: its hash is the author's claim until someone fetches
/// the source without caches and gets that hash.
/// </summary>
public sealed class ChangedFodUnverified : IDetector
{
    public string Kind => "changed-fod-unverified";

    public Severity Severity => Severity.Note;

    public string Summary => "An added or changed FOD has not been verified by fetching its source.";

    public IEnumerable<Finding> Detect(DetectionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var head in context.HeadNew)
        {
            var change = context.ChangeOf(head);
            var what = change is null ? "is new" : change.HashChanged ? "changed its hash" : "changed its recipe";
            var message = $"{Describe.Attr(head)}: {head.Fod.Name} {what}; nobody has fetched {Describe.Source(head.Fod)} to confirm {head.Fod.HashSri} yet. "
                + "To verify: " + Describe.CheckCommand(head.Fod) + ".";
            yield return new Finding(Kind, Severity, head, message, change?.Base, []);
        }
    }
}
