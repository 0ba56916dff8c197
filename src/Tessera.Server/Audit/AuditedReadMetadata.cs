namespace Tessera.Server.Audit;

/// <summary>Marks a GET that reads file content: audited when the project is private, or always when <see cref="Sensitive"/>.</summary>
public sealed class AuditedReadMetadata
{
    public static readonly AuditedReadMetadata Instance = new();

    /// <summary>A sensitive read (the originals behind pseudonyms): audited whether the project is private or public.</summary>
    public static readonly AuditedReadMetadata Always = new() { Sensitive = true };

    public bool Sensitive { get; private init; }
}
