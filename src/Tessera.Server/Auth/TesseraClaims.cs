namespace Tessera.Server.Auth;

internal static class TesseraClaims
{
    public const string Scheme = "Tessera";
    public const string UserId = "tessera:uid";
    public const string Admin = "tessera:admin";
    public const string TokenProject = "tessera:token-project";
}
