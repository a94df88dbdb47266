namespace Vigil.Builder;

/// <summary>Why <see cref="BuilderAgent.RunAsync"/> returned.</summary>
public enum BuilderExit
{
    /// <summary>Stopped on request (SIGTERM, a Shutdown from the server) after finishing or aborting its steps.</summary>
    Stopped,

    /// <summary>The server refused the builder (protocol version, store dir, unknown id): reconnecting would not help.</summary>
    Rejected,
}
