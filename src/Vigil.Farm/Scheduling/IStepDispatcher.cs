namespace Vigil.Farm.Scheduling;

/// <summary>
/// Where the scheduler's decisions go: start an assignment on its machine, or abort one (its build
/// was cancelled or failed). Called on the scheduler's thread; must not block.
/// </summary>
public interface IStepDispatcher
{
    void Start(StepAssignment assignment);

    void Abort(StepAssignment assignment);
}
