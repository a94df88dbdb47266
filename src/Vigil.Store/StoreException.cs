namespace Vigil.Store;

/// <summary>A store object could not be read (missing, unreadable, or not valid), with the path it concerns.</summary>
public sealed class StoreException : Exception
{
    public StoreException(string storePath, string message, Exception? inner = null)
        : base(message, inner) => StorePath = storePath;

    public StoreException() : base("store error") => StorePath = "";

    public StoreException(string message) : base(message) => StorePath = "";

    public StoreException(string message, Exception innerException) : base(message, innerException) => StorePath = "";

    public string StorePath { get; }
}
