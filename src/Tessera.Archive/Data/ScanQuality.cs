namespace Tessera.Archive.Data;

public enum ScanQuality
{
    Usable,
    Questionable,
    Unusable,
}
