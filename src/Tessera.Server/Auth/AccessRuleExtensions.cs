namespace Tessera.Server.Auth;

public static class AccessRuleExtensions
{
    /// <summary>Declares who may call the endpoint(s).</summary>
    public static TBuilder WithAccess<TBuilder>(this TBuilder builder, AccessRule rule)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(endpoint => endpoint.Metadata.Add(new AccessAttribute(rule)));
        return builder;
    }
}
