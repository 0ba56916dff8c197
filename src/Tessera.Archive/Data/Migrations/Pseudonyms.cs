using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Tessera.Archive.Data.Migrations;

/// <summary>De-identifying projects' pseudonyms: a keyed hash of each original patient, its pseudonym, and the original only while the project keeps the mapping.</summary>
[DbContext(typeof(ArchiveDbContext))]
[Migration("20261211000001_Pseudonyms")]
public sealed class Pseudonyms : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        var m = migrationBuilder;
        m.CreateTable("pseudonyms", t => new
        {
            id = t.Column<Guid>(nullable: false),
            project_id = t.Column<Guid>(nullable: false),
            lookup = t.Column<string>(maxLength: 64, nullable: false),
            label = t.Column<string>(maxLength: 64, nullable: false),
            number = t.Column<int>(nullable: true),
            patient_id = t.Column<string>(maxLength: 256, nullable: true),
            issuer_of_patient_id = t.Column<string>(maxLength: 256, nullable: true),
            created_at = t.Column<DateTime>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_pseudonyms", x => x.id);
            t.ForeignKey("FK_pseudonyms_projects_project_id", x => x.project_id, "projects", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("IX_pseudonyms_project_id_label", "pseudonyms", ["project_id", "label"], unique: true);
        m.CreateIndex("IX_pseudonyms_project_id_lookup", "pseudonyms", ["project_id", "lookup"], unique: true);
        m.CreateIndex("IX_pseudonyms_project_id_number", "pseudonyms", ["project_id", "number"], unique: true);
    }
}
