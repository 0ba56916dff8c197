namespace Tessera.Dicom.Network;

/// <summary>The SOP classes of the DIMSE services (PS3.4 annexes A, C and J) beside storage.</summary>
public static class DimseSopClasses
{
    public const string Verification = "1.2.840.10008.1.1";
    public const string PatientRootFind = "1.2.840.10008.5.1.4.1.2.1.1";
    public const string PatientRootMove = "1.2.840.10008.5.1.4.1.2.1.2";
    public const string PatientRootGet = "1.2.840.10008.5.1.4.1.2.1.3";
    public const string StudyRootFind = "1.2.840.10008.5.1.4.1.2.2.1";
    public const string StudyRootMove = "1.2.840.10008.5.1.4.1.2.2.2";
    public const string StudyRootGet = "1.2.840.10008.5.1.4.1.2.2.3";
    public const string StorageCommitmentPushModel = "1.2.840.10008.1.20.1";

    /// <summary>The one well-known SOP instance of storage commitment (PS3.4 J.3.5).</summary>
    public const string StorageCommitmentPushModelInstance = "1.2.840.10008.1.20.1.1";

    public static bool IsFind(string sopClass) => sopClass is PatientRootFind or StudyRootFind;

    public static bool IsMove(string sopClass) => sopClass is PatientRootMove or StudyRootMove;

    public static bool IsGet(string sopClass) => sopClass is PatientRootGet or StudyRootGet;

    public static bool IsPatientRoot(string sopClass) => sopClass is PatientRootFind or PatientRootMove or PatientRootGet;
}
