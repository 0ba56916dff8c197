namespace Tessera.Cli;

/// <summary>Process exit codes; documented in the README.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    /// <summary>The operation failed (server error, I/O error, some files not transferred).</summary>
    public const int Failure = 1;
    /// <summary>Bad usage or configuration.</summary>
    public const int Usage = 2;
    /// <summary>Not logged in, or the credentials were refused.</summary>
    public const int Unauthorized = 3;
}
