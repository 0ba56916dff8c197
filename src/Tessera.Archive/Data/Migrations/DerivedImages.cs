using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Tessera.Archive.Data.Migrations;

/// <summary>Images made from stored ones (thumbnails, pyramids), kept as blobs and keyed by the source's hash.</summary>
[DbContext(typeof(ArchiveDbContext))]
[Migration("20261205000001_DerivedImages")]
public sealed class DerivedImages : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.CreateTable("derived_images", t => new
        {
            source_key = t.Column<string>(maxLength: 64, nullable: false),
            kind = t.Column<string>(maxLength: 32, nullable: false),
            blob_key = t.Column<string>(maxLength: 64, nullable: true),
            state = t.Column<string>(maxLength: 16, nullable: false),
            progress = t.Column<int>(nullable: false),
            error = t.Column<string>(maxLength: 1024, nullable: true),
            created_at = t.Column<DateTime>(nullable: false),
            updated_at = t.Column<DateTime>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_derived_images", x => new { x.source_key, x.kind }));
        migrationBuilder.CreateIndex("IX_derived_images_blob_key", "derived_images", "blob_key");
    }
}
