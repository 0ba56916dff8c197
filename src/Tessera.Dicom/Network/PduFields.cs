using System.Text;

namespace Tessera.Dicom.Network;

/// <summary>
/// The rules for the text fields of association PDUs, shared by <see cref="PduReader"/> and <see cref="PduWriter"/>
/// so that whatever is read can be written back: an acceptor echoes the request's AE titles in its A-ASSOCIATE-AC.
/// </summary>
internal static class PduFields
{
    /// <summary>An AE title without its padding: 1 to 16 printable ASCII characters, no backslash (PS3.8 9.3.2, PS3.5 AE).</summary>
    public static bool IsAeTitle(string trimmed) =>
        trimmed.Length is >= 1 and <= 16 && Ascii.IsValid(trimmed) && !trimmed.Any(c => char.IsControl(c) || c == '\\');

    /// <summary>A UID is at most 64 characters (PS3.5 9.1).</summary>
    public static bool IsUid(string uid) => uid.Length <= 64 && Ascii.IsValid(uid);

    /// <summary>An implementation version name is 1 to 16 characters (PS3.7 D.3.3.2.3).</summary>
    public static bool IsVersionName(string name) => name.Length is >= 1 and <= 16 && Ascii.IsValid(name);
}
