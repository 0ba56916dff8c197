namespace Tessera.Server.Auth;

/// <summary>
/// Endpoint metadata carrying its <see cref="AccessRule"/>: added by <c>WithAccess</c> on API
/// endpoints, and put on a page model as an attribute.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class AccessAttribute(AccessRule rule) : Attribute
{
    public AccessRule Rule { get; } = rule;
}
