namespace Tessera.Server.Auth;

/// <summary>Endpoint metadata carrying its <see cref="AccessRule"/>.</summary>
public sealed record AccessRuleMetadata(AccessRule Rule);
