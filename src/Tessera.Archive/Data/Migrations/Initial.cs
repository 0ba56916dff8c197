using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Tessera.Archive.Data.Migrations;

/// <summary>
/// The first schema. Written by hand (no design-time package here): columns are declared by
/// CLR type so that SQLite and PostgreSQL each choose their own SQL types, and names follow
/// EF Core's conventions so that the migrated schema equals the model's.
/// </summary>
[DbContext(typeof(ArchiveDbContext))]
[Migration("20261122000001_Initial")]
public sealed class Initial : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        var m = migrationBuilder;

        m.CreateTable("users", t => new
        {
            id = t.Column<Guid>(nullable: false),
            username = t.Column<string>(maxLength: 64, nullable: false),
            email = t.Column<string>(maxLength: 256, nullable: true),
            password_hash = t.Column<string>(maxLength: 256, nullable: false),
            is_admin = t.Column<bool>(nullable: false),
            is_disabled = t.Column<bool>(nullable: false),
            created_at = t.Column<DateTime>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_users", x => x.id));
        m.CreateIndex("IX_users_username", "users", "username", unique: true);

        m.CreateTable("projects", t => new
        {
            id = t.Column<Guid>(nullable: false),
            slug = t.Column<string>(maxLength: 64, nullable: false),
            name = t.Column<string>(maxLength: 256, nullable: false),
            description = t.Column<string>(nullable: true),
            is_public = t.Column<bool>(nullable: false),
            subject_schema = t.Column<string>(nullable: true),
            session_schema = t.Column<string>(nullable: true),
            scan_schema = t.Column<string>(nullable: true),
            created_at = t.Column<DateTime>(nullable: false),
            updated_at = t.Column<DateTime>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_projects", x => x.id));
        m.CreateIndex("IX_projects_slug", "projects", "slug", unique: true);

        m.CreateTable("api_tokens", t => new
        {
            id = t.Column<Guid>(nullable: false),
            user_id = t.Column<Guid>(nullable: false),
            name = t.Column<string>(maxLength: 128, nullable: false),
            secret_hash = t.Column<string>(maxLength: 64, nullable: false),
            project_id = t.Column<Guid>(nullable: true),
            created_at = t.Column<DateTime>(nullable: false),
            expires_at = t.Column<DateTime>(nullable: false),
            last_used_at = t.Column<DateTime>(nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_api_tokens", x => x.id);
            t.ForeignKey("FK_api_tokens_projects_project_id", x => x.project_id, "projects", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_api_tokens_users_user_id", x => x.user_id, "users", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("IX_api_tokens_project_id", "api_tokens", "project_id");
        m.CreateIndex("IX_api_tokens_secret_hash", "api_tokens", "secret_hash", unique: true);
        m.CreateIndex("IX_api_tokens_user_id", "api_tokens", "user_id");

        m.CreateTable("project_members", t => new
        {
            project_id = t.Column<Guid>(nullable: false),
            user_id = t.Column<Guid>(nullable: false),
            role = t.Column<string>(maxLength: 16, nullable: false),
            created_at = t.Column<DateTime>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_project_members", x => new { x.project_id, x.user_id });
            t.ForeignKey("FK_project_members_projects_project_id", x => x.project_id, "projects", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_project_members_users_user_id", x => x.user_id, "users", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("IX_project_members_user_id", "project_members", "user_id");

        m.CreateTable("subjects", t => new
        {
            id = t.Column<Guid>(nullable: false),
            project_id = t.Column<Guid>(nullable: false),
            label = t.Column<string>(maxLength: 64, nullable: false),
            description = t.Column<string>(nullable: true),
            fields = t.Column<string>(nullable: true),
            created_at = t.Column<DateTime>(nullable: false),
            updated_at = t.Column<DateTime>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_subjects", x => x.id);
            t.ForeignKey("FK_subjects_projects_project_id", x => x.project_id, "projects", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("IX_subjects_project_id_label", "subjects", ["project_id", "label"], unique: true);

        m.CreateTable("sessions", t => new
        {
            id = t.Column<Guid>(nullable: false),
            project_id = t.Column<Guid>(nullable: false),
            subject_id = t.Column<Guid>(nullable: false),
            label = t.Column<string>(maxLength: 64, nullable: false),
            type = t.Column<string>(maxLength: 64, nullable: true),
            date = t.Column<DateOnly>(nullable: true),
            description = t.Column<string>(nullable: true),
            fields = t.Column<string>(nullable: true),
            created_at = t.Column<DateTime>(nullable: false),
            updated_at = t.Column<DateTime>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_sessions", x => x.id);
            t.ForeignKey("FK_sessions_subjects_subject_id", x => x.subject_id, "subjects", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("IX_sessions_project_id", "sessions", "project_id");
        m.CreateIndex("IX_sessions_subject_id_label", "sessions", ["subject_id", "label"], unique: true);

        m.CreateTable("scans", t => new
        {
            id = t.Column<Guid>(nullable: false),
            project_id = t.Column<Guid>(nullable: false),
            session_id = t.Column<Guid>(nullable: false),
            label = t.Column<string>(maxLength: 64, nullable: false),
            type = t.Column<string>(maxLength: 64, nullable: true),
            quality = t.Column<string>(maxLength: 16, nullable: true),
            description = t.Column<string>(nullable: true),
            fields = t.Column<string>(nullable: true),
            created_at = t.Column<DateTime>(nullable: false),
            updated_at = t.Column<DateTime>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_scans", x => x.id);
            t.ForeignKey("FK_scans_sessions_session_id", x => x.session_id, "sessions", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("IX_scans_project_id", "scans", "project_id");
        m.CreateIndex("IX_scans_session_id_label", "scans", ["session_id", "label"], unique: true);

        m.CreateTable("resources", t => new
        {
            id = t.Column<Guid>(nullable: false),
            project_id = t.Column<Guid>(nullable: false),
            subject_id = t.Column<Guid>(nullable: true),
            session_id = t.Column<Guid>(nullable: true),
            scan_id = t.Column<Guid>(nullable: true),
            owner_id = t.Column<Guid>(nullable: false),
            label = t.Column<string>(maxLength: 64, nullable: false),
            created_at = t.Column<DateTime>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_resources", x => x.id);
            t.ForeignKey("FK_resources_projects_project_id", x => x.project_id, "projects", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_resources_scans_scan_id", x => x.scan_id, "scans", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_resources_sessions_session_id", x => x.session_id, "sessions", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_resources_subjects_subject_id", x => x.subject_id, "subjects", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("IX_resources_owner_id_label", "resources", ["owner_id", "label"], unique: true);
        m.CreateIndex("IX_resources_project_id", "resources", "project_id");
        m.CreateIndex("IX_resources_scan_id", "resources", "scan_id");
        m.CreateIndex("IX_resources_session_id", "resources", "session_id");
        m.CreateIndex("IX_resources_subject_id", "resources", "subject_id");

        m.CreateTable("files", t => new
        {
            id = t.Column<Guid>(nullable: false),
            project_id = t.Column<Guid>(nullable: false),
            resource_id = t.Column<Guid>(nullable: false),
            path = t.Column<string>(maxLength: 1024, nullable: false),
            size = t.Column<long>(nullable: false),
            sha256 = t.Column<string>(maxLength: 64, nullable: false),
            media_type = t.Column<string>(maxLength: 128, nullable: false),
            created_at = t.Column<DateTime>(nullable: false),
            updated_at = t.Column<DateTime>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_files", x => x.id);
            t.ForeignKey("FK_files_resources_resource_id", x => x.resource_id, "resources", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("IX_files_project_id", "files", "project_id");
        m.CreateIndex("IX_files_resource_id_path", "files", ["resource_id", "path"], unique: true);
        m.CreateIndex("IX_files_sha256", "files", "sha256");

        m.CreateTable("blobs", t => new
        {
            key = t.Column<string>(maxLength: 64, nullable: false),
            size = t.Column<long>(nullable: false),
            created_at = t.Column<DateTime>(nullable: false),
            leased_at = t.Column<DateTime>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_blobs", x => x.key));

        m.CreateTable("changes", t => new
        {
            sequence = t.Column<long>(nullable: false)
                .Annotation("Sqlite:Autoincrement", true)
                .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
            at = t.Column<DateTime>(nullable: false),
            kind = t.Column<string>(maxLength: 64, nullable: false),
            project_id = t.Column<Guid>(nullable: false),
            entity_id = t.Column<Guid>(nullable: false),
            path = t.Column<string>(maxLength: 1024, nullable: false),
        }, constraints: t => t.PrimaryKey("PK_changes", x => x.sequence));
        m.CreateIndex("IX_changes_project_id", "changes", "project_id");

        m.CreateTable("audit_entries", t => new
        {
            id = t.Column<long>(nullable: false)
                .Annotation("Sqlite:Autoincrement", true)
                .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
            at = t.Column<DateTime>(nullable: false),
            username = t.Column<string>(maxLength: 64, nullable: true),
            action = t.Column<string>(maxLength: 128, nullable: false),
            project = t.Column<string>(maxLength: 64, nullable: true),
            target = t.Column<string>(maxLength: 2048, nullable: false),
            status = t.Column<int>(nullable: false),
            client_address = t.Column<string>(maxLength: 64, nullable: true),
        }, constraints: t => t.PrimaryKey("PK_audit_entries", x => x.id));
        m.CreateIndex("IX_audit_entries_at", "audit_entries", "at");
        m.CreateIndex("IX_audit_entries_project_at", "audit_entries", ["project", "at"]);
    }
}
