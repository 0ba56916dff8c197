using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Tessera.Archive.Data.Migrations;

/// <summary>The original study of a pseudonym made for files without a PatientID, kept like the other originals (only with the mapping).</summary>
[DbContext(typeof(ArchiveDbContext))]
[Migration("20261212000001_PseudonymStudies")]
public sealed class PseudonymStudies : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.AddColumn<string>("study_instance_uid", "pseudonyms", maxLength: 64, nullable: true);
    }
}
