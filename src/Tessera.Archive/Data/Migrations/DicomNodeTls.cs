using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Tessera.Archive.Data.Migrations;

/// <summary>DICOM TLS towards a node of the AE table: whether to call it over TLS, and the name its certificate must carry.</summary>
[DbContext(typeof(ArchiveDbContext))]
[Migration("20261210000001_DicomNodeTls")]
public sealed class DicomNodeTls : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.AddColumn<bool>("tls", "dicom_nodes", nullable: false, defaultValue: false);
        migrationBuilder.AddColumn<string>("tls_server_name", "dicom_nodes", maxLength: 255, nullable: true);
    }
}
