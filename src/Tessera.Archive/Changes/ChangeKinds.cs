namespace Tessera.Archive.Changes;

/// <summary>The kinds of entries in the change log; stable strings that consumers match on.</summary>
public static class ChangeKinds
{
    public const string SubjectCreated = "subject.created";
    public const string SubjectDeleted = "subject.deleted";
    public const string SessionCreated = "session.created";
    public const string SessionDeleted = "session.deleted";
    public const string ScanCreated = "scan.created";
    public const string ScanDeleted = "scan.deleted";
    public const string FileStored = "file.stored";
    public const string FileDeleted = "file.deleted";
    public const string ResourceDeleted = "resource.deleted";
}
