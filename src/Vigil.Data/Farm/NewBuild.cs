namespace Vigil.Data.Farm;

/// <summary>
/// A job of an evaluation, to be queued as a build. Priority null takes the jobset's; MaxSilent and
/// Timeout are seconds, Hydra's defaults.
/// </summary>
public sealed record NewBuild(string Job, string DrvPath, string System, IReadOnlyList<OutputPath> Outputs, int? Priority = null, int MaxSilent = 3600, int Timeout = 36000);
