using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Tessera.Archive.Data.Migrations;

/// <summary>Resumable uploads (tus): one row per upload in progress or recently finished.</summary>
[DbContext(typeof(ArchiveDbContext))]
[Migration("20261122000002_Uploads")]
public sealed class Uploads : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        var m = migrationBuilder;
        m.CreateTable("uploads", t => new
        {
            id = t.Column<Guid>(nullable: false),
            project_id = t.Column<Guid>(nullable: false),
            user_id = t.Column<Guid>(nullable: false),
            subject = t.Column<string>(maxLength: 64, nullable: true),
            session = t.Column<string>(maxLength: 64, nullable: true),
            scan = t.Column<string>(maxLength: 64, nullable: true),
            resource = t.Column<string>(maxLength: 64, nullable: false),
            path = t.Column<string>(maxLength: 1024, nullable: false),
            media_type = t.Column<string>(maxLength: 256, nullable: true),
            length = t.Column<long>(nullable: false),
            offset = t.Column<long>(nullable: false),
            metadata = t.Column<string>(maxLength: 4096, nullable: true),
            created_at = t.Column<DateTime>(nullable: false),
            updated_at = t.Column<DateTime>(nullable: false),
            expires_at = t.Column<DateTime>(nullable: false),
            file_id = t.Column<Guid>(nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_uploads", x => x.id);
            t.ForeignKey("FK_uploads_projects_project_id", x => x.project_id, "projects", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_uploads_users_user_id", x => x.user_id, "users", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("IX_uploads_expires_at", "uploads", "expires_at");
        m.CreateIndex("IX_uploads_project_id", "uploads", "project_id");
        m.CreateIndex("IX_uploads_user_id", "uploads", "user_id");
    }
}
