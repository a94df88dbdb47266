namespace Vigil.Farm.Scheduling;

/// <summary>
/// Which machines may build which steps: the machine builds the step's system (<c>builtin</c> runs
/// anywhere), supports every feature the step requires (mandatory features count as supported,
/// which Hydra left as a TODO), and requires nothing the step does not: each of its mandatory
/// features is among the step's required features.
/// </summary>
public static class MachineMatching
{
    public static bool Serves(MachineSpec machine, string system, IReadOnlyList<string> requiredFeatures)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(requiredFeatures);
        if (system != "builtin" && !machine.Systems.Contains(system, StringComparer.Ordinal))
        {
            return false;
        }
        foreach (var feature in requiredFeatures)
        {
            if (!machine.SupportedFeatures.Contains(feature, StringComparer.Ordinal) && !machine.MandatoryFeatures.Contains(feature, StringComparer.Ordinal))
            {
                return false;
            }
        }
        foreach (var mandatory in machine.MandatoryFeatures)
        {
            if (!requiredFeatures.Contains(mandatory, StringComparer.Ordinal))
            {
                return false;
            }
        }
        return true;
    }
}
