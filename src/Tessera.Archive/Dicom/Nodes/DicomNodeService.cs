using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Data;

namespace Tessera.Archive.Dicom.Nodes;

/// <summary>A row of the AE table as the API shows it: the project by its ID, the operations by name.</summary>
public sealed record DicomNodeView(string AeTitle, string Host, int Port, IReadOnlyList<string> Allow, string? Project, DateTime CreatedAt, DateTime UpdatedAt,
    bool Tls, string? TlsServerName);

/// <summary>The AE table: remote application entities the DICOM node talks with (managed by site admins).</summary>
public sealed class DicomNodeService(ArchiveDbContext db, TimeProvider clock)
{
    /// <summary>The operation names of the API, in their order.</summary>
    public static readonly IReadOnlyList<(string Name, DicomOperations Operation)> OperationNames =
    [
        ("echo", DicomOperations.Echo), ("store", DicomOperations.Store), ("find", DicomOperations.Find),
        ("move", DicomOperations.Move), ("get", DicomOperations.Get),
    ];

    public async Task<IReadOnlyList<DicomNodeView>> ListAsync(CancellationToken ct)
    {
        var nodes = await db.DicomNodes.AsNoTracking().ToListAsync(ct);
        var slugs = await SlugsAsync(nodes, ct);
        return nodes.Select(n => View(n, n.ProjectId is { } id ? slugs.GetValueOrDefault(id) : null)).OrderBy(v => v.AeTitle, StringComparer.Ordinal).ToList();
    }

    public async Task<DicomNodeView> GetAsync(string aeTitle, CancellationToken ct)
    {
        var node = await db.DicomNodes.AsNoTracking().FirstOrDefaultAsync(n => n.AeTitle == aeTitle, ct) ?? throw TesseraException.NotFound($"The AE '{aeTitle}'");
        var slugs = await SlugsAsync([node], ct);
        return View(node, node.ProjectId is { } id ? slugs.GetValueOrDefault(id) : null);
    }

    /// <summary>The node calling with this AE title, or null when it is not in the table.</summary>
    public Task<DicomNode?> FindAsync(string aeTitle, CancellationToken ct) =>
        db.DicomNodes.AsNoTracking().FirstOrDefaultAsync(n => n.AeTitle == aeTitle, ct);

    /// <summary>Creates or replaces a node; true when it was created.</summary>
    public async Task<(DicomNodeView Node, bool Created)> PutAsync(string aeTitle, string? host, int port, IReadOnlyList<string>? allow, string? project,
        DicomNodeTransport transport, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ValidateAeTitle(aeTitle);
        if (string.IsNullOrWhiteSpace(host) || host.Length > 255 || host.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            throw TesseraException.Invalid("A node needs its host: a name or an IP address, up to 255 characters.");
        if (port is < 1 or > 65535)
            throw TesseraException.Invalid($"The port {port} is not a TCP port (1 to 65535).");
        var serverName = string.IsNullOrWhiteSpace(transport.TlsServerName) ? null : transport.TlsServerName.Trim();
        if (serverName is not null && (!transport.Tls || serverName.Length > 255 || serverName.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
            throw TesseraException.Invalid(transport.Tls
                ? "tlsServerName is the name the node's certificate carries: a host name or an IP address, up to 255 characters."
                : "tlsServerName is only for a node called over TLS (tls: true).");
        var operations = ParseOperations(allow ?? ["echo"]);
        Guid? projectId = null;
        if (!string.IsNullOrEmpty(project))
            projectId = await db.Projects.Where(p => p.Slug == project).Select(p => (Guid?)p.Id).FirstOrDefaultAsync(ct)
                ?? throw TesseraException.NotFound($"Project '{project}'");
        var now = clock.GetUtcNow().UtcDateTime;
        var node = await db.DicomNodes.FirstOrDefaultAsync(n => n.AeTitle == aeTitle, ct);
        var created = node is null;
        if (node is null)
        {
            node = new DicomNode { AeTitle = aeTitle, Host = host, CreatedAt = now };
            db.DicomNodes.Add(node);
        }
        node.Host = host.Trim();
        node.Port = port;
        node.Allow = operations;
        node.ProjectId = projectId;
        node.Tls = transport.Tls;
        node.TlsServerName = serverName;
        node.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return (View(node, string.IsNullOrEmpty(project) ? null : project), created);
    }

    public async Task DeleteAsync(string aeTitle, CancellationToken ct)
    {
        if (await db.DicomNodes.Where(n => n.AeTitle == aeTitle).ExecuteDeleteAsync(ct) == 0)
            throw TesseraException.NotFound($"The AE '{aeTitle}'");
    }

    /// <summary>PS3.5: 1 to 16 characters of the default repertoire, no backslash or control characters, not only spaces.</summary>
    public static void ValidateAeTitle(string aeTitle)
    {
        if (string.IsNullOrWhiteSpace(aeTitle) || aeTitle.Length > 16 || aeTitle != aeTitle.Trim() || aeTitle.Any(c => c == '\\' || c < 0x20 || c > 0x7E))
            throw TesseraException.Invalid($"'{aeTitle}' is not an AE title: 1 to 16 printable ASCII characters, no backslash, no leading or trailing spaces.");
    }

    public static DicomOperations ParseOperations(IEnumerable<string> names)
    {
        var operations = DicomOperations.None;
        foreach (var name in names)
        {
            var match = OperationNames.FirstOrDefault(o => o.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (match.Name is null)
                throw TesseraException.Invalid($"'{name}' is not an operation; allow takes {string.Join(", ", OperationNames.Select(o => o.Name))}.");
            operations |= match.Operation;
        }
        return operations;
    }

    public static IReadOnlyList<string> NamesOf(DicomOperations operations) =>
        OperationNames.Where(o => operations.HasFlag(o.Operation)).Select(o => o.Name).ToList();

    private async Task<Dictionary<Guid, string>> SlugsAsync(IReadOnlyList<DicomNode> nodes, CancellationToken ct)
    {
        var ids = nodes.Where(n => n.ProjectId is not null).Select(n => n.ProjectId!.Value).Distinct().ToList();
        return ids.Count == 0 ? [] : await db.Projects.AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Slug, ct);
    }

    private static DicomNodeView View(DicomNode node, string? slug) =>
        new(node.AeTitle, node.Host, node.Port, NamesOf(node.Allow), slug, node.CreatedAt, node.UpdatedAt, node.Tls, node.TlsServerName);
}
