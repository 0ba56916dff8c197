using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Tessera.Archive.Data.Migrations;

/// <summary>The DICOM node: the AE table, and each project's own called AE title as an indexed column (unique).</summary>
[DbContext(typeof(ArchiveDbContext))]
[Migration("20261202000001_DicomNetwork")]
public sealed class DicomNetwork : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        var m = migrationBuilder;
        m.AddColumn<string>("dicom_ae_title", "projects", maxLength: 16, nullable: true);
        m.CreateIndex("IX_projects_dicom_ae_title", "projects", "dicom_ae_title", unique: true);

        m.CreateTable("dicom_nodes", t => new
        {
            ae_title = t.Column<string>(maxLength: 16, nullable: false),
            host = t.Column<string>(maxLength: 255, nullable: false),
            port = t.Column<int>(nullable: false),
            allow = t.Column<int>(nullable: false),
            project_id = t.Column<Guid>(nullable: true),
            created_at = t.Column<DateTime>(nullable: false),
            updated_at = t.Column<DateTime>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_dicom_nodes", x => x.ae_title);
            t.ForeignKey("FK_dicom_nodes_projects_project_id", x => x.project_id, "projects", "id", onDelete: ReferentialAction.SetNull);
        });
        m.CreateIndex("IX_dicom_nodes_project_id", "dicom_nodes", "project_id");
    }
}
