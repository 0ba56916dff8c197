namespace Tessera.Client.Contracts;

public enum Quality
{
    Usable,
    Questionable,
    Unusable,
}
