namespace Tessera.Archive.Data;

/// <summary>The database cannot be served: unreachable, or its schema is behind the code. The message says what to do.</summary>
public sealed class DatabaseNotReadyException : Exception
{
    public DatabaseNotReadyException()
    {
    }

    public DatabaseNotReadyException(string message)
        : base(message)
    {
    }

    public DatabaseNotReadyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
