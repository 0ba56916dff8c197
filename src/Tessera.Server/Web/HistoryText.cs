using Tessera.Archive.Changes;
using Tessera.Archive.Data;

namespace Tessera.Server.Web;

/// <summary>A change-log entry as a sentence, with the path shown relative to the page's entity.</summary>
public static class HistoryText
{
    public static string Of(Change change, string basePath)
    {
        ArgumentNullException.ThrowIfNull(change);
        var path = change.Path.Length > basePath.Length && change.Path.StartsWith(basePath + "/", StringComparison.Ordinal)
            ? change.Path[(basePath.Length + 1)..]
            : change.Path;
        return change.Kind switch
        {
            ChangeKinds.SessionCreated => "Session created",
            ChangeKinds.ScanCreated => $"Scan created: {path}",
            ChangeKinds.ScanDeleted => $"Scan deleted: {path}",
            ChangeKinds.FileStored => $"File stored: {path}",
            ChangeKinds.FileDeleted => $"File deleted: {path}",
            ChangeKinds.ResourceDeleted => $"Resource deleted: {path}",
            _ => $"{change.Kind}: {path}",
        };
    }
}
