namespace Tessera.Server.Audit;

/// <summary>Marks a GET that reads file content: audited when the project is private.</summary>
public sealed class AuditedReadMetadata
{
    public static readonly AuditedReadMetadata Instance = new();
}
