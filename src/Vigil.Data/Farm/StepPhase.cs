namespace Vigil.Data.Farm;

/// <summary>Hydra's busy codes of a running step (<c>BuildSteps.busy</c>), the values its web UI shows; 0 = not busy.</summary>
public enum StepPhase
{
    Done = 0,
    Preparing = 1,
    Connecting = 10,
    SendingInputs = 20,
    Building = 30,
    WaitingForLocalSlot = 35,
    ReceivingOutputs = 40,
    PostProcessing = 50,
}
