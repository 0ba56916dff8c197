namespace Tessera.Client.Contracts;

public enum Visibility
{
    Private,
    Public,
}
