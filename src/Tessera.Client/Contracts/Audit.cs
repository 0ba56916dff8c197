namespace Tessera.Client.Contracts;

public sealed record AuditEntryDto(
    long Id, DateTime At, string? User, string Action, string? Project, string Target, int Status, string? ClientAddress);
