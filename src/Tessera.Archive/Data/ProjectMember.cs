using Tessera.Archive.Access;

namespace Tessera.Archive.Data;

public sealed class ProjectMember
{
    public Guid ProjectId { get; set; }
    public Guid UserId { get; set; }
    public User? User { get; set; }
    public ProjectRole Role { get; set; }
    public DateTime CreatedAt { get; set; }
}
