using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Tessera.Dicom.Deidentification;

/// <summary>
/// Replaces UIDs consistently: the same UID under the same key always gives the same new UID
/// ("2.25." and 128 bits of HMAC-SHA-256, PS3.5 B.2), so studies, series and references stay
/// linked across files and imports; without the key the original cannot be recovered or confirmed.
/// </summary>
public sealed class UidMapper(byte[] key)
{
    private readonly byte[] _key = (byte[])key.Clone();

    public string Map(string uid)
    {
        ArgumentNullException.ThrowIfNull(uid);
        var mac = HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(uid.Trim().TrimEnd('\0')));
        return "2.25." + new BigInteger(mac.AsSpan(0, 16), isUnsigned: true).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
