namespace Vigil.Builder;

/// <summary>An output's NAR grew past the step's max_output_bytes while being uploaded.</summary>
public sealed class OutputLimitExceededException : Exception
{
    public OutputLimitExceededException()
    {
    }

    public OutputLimitExceededException(string message)
        : base(message)
    {
    }

    public OutputLimitExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
