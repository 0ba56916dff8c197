using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Tessera.Archive.Data.Migrations;

/// <summary>The DICOM index (studies, series, instances) and each project's DICOM settings.</summary>
[DbContext(typeof(ArchiveDbContext))]
[Migration("20261122000003_DicomIndex")]
public sealed class DicomIndex : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        var m = migrationBuilder;
        m.AddColumn<string>("dicom_settings", "projects", maxLength: 4096, nullable: true);

        m.CreateTable("dicom_studies", t => new
        {
            id = t.Column<Guid>(nullable: false),
            project_id = t.Column<Guid>(nullable: false),
            session_id = t.Column<Guid>(nullable: false),
            study_instance_uid = t.Column<string>(maxLength: 64, nullable: false),
            patient_id = t.Column<string>(maxLength: 64, nullable: true),
            patient_name = t.Column<string>(maxLength: 324, nullable: true),
            patient_birth_date = t.Column<string>(maxLength: 16, nullable: true),
            patient_sex = t.Column<string>(maxLength: 16, nullable: true),
            study_date = t.Column<string>(maxLength: 16, nullable: true),
            study_time = t.Column<string>(maxLength: 32, nullable: true),
            accession_number = t.Column<string>(maxLength: 64, nullable: true),
            study_id = t.Column<string>(maxLength: 64, nullable: true),
            study_description = t.Column<string>(maxLength: 324, nullable: true),
            referring_physician_name = t.Column<string>(maxLength: 324, nullable: true),
            created_at = t.Column<DateTime>(nullable: false),
            updated_at = t.Column<DateTime>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_dicom_studies", x => x.id);
            t.ForeignKey("FK_dicom_studies_projects_project_id", x => x.project_id, "projects", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_dicom_studies_sessions_session_id", x => x.session_id, "sessions", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("IX_dicom_studies_project_id_study_instance_uid", "dicom_studies", ["project_id", "study_instance_uid"], unique: true);
        m.CreateIndex("IX_dicom_studies_study_instance_uid", "dicom_studies", "study_instance_uid");
        m.CreateIndex("IX_dicom_studies_patient_id", "dicom_studies", "patient_id");
        m.CreateIndex("IX_dicom_studies_study_date", "dicom_studies", "study_date");
        m.CreateIndex("IX_dicom_studies_accession_number", "dicom_studies", "accession_number");
        m.CreateIndex("IX_dicom_studies_session_id", "dicom_studies", "session_id");

        m.CreateTable("dicom_series", t => new
        {
            id = t.Column<Guid>(nullable: false),
            project_id = t.Column<Guid>(nullable: false),
            study_id = t.Column<Guid>(nullable: false),
            scan_id = t.Column<Guid>(nullable: false),
            series_instance_uid = t.Column<string>(maxLength: 64, nullable: false),
            modality = t.Column<string>(maxLength: 16, nullable: true),
            series_number = t.Column<int>(nullable: true),
            series_description = t.Column<string>(maxLength: 324, nullable: true),
            series_date = t.Column<string>(maxLength: 16, nullable: true),
            series_time = t.Column<string>(maxLength: 32, nullable: true),
            body_part_examined = t.Column<string>(maxLength: 64, nullable: true),
            created_at = t.Column<DateTime>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_dicom_series", x => x.id);
            t.ForeignKey("FK_dicom_series_dicom_studies_study_id", x => x.study_id, "dicom_studies", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_dicom_series_scans_scan_id", x => x.scan_id, "scans", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("IX_dicom_series_project_id_series_instance_uid", "dicom_series", ["project_id", "series_instance_uid"], unique: true);
        m.CreateIndex("IX_dicom_series_series_instance_uid", "dicom_series", "series_instance_uid");
        m.CreateIndex("IX_dicom_series_study_id", "dicom_series", "study_id");
        m.CreateIndex("IX_dicom_series_scan_id", "dicom_series", "scan_id");

        m.CreateTable("dicom_instances", t => new
        {
            id = t.Column<Guid>(nullable: false),
            project_id = t.Column<Guid>(nullable: false),
            series_id = t.Column<Guid>(nullable: false),
            file_id = t.Column<Guid>(nullable: false),
            sop_instance_uid = t.Column<string>(maxLength: 64, nullable: false),
            sop_class_uid = t.Column<string>(maxLength: 64, nullable: false),
            transfer_syntax_uid = t.Column<string>(maxLength: 64, nullable: false),
            instance_number = t.Column<int>(nullable: true),
            number_of_frames = t.Column<int>(nullable: true),
            rows = t.Column<int>(nullable: true),
            columns = t.Column<int>(nullable: true),
            created_at = t.Column<DateTime>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_dicom_instances", x => x.id);
            t.ForeignKey("FK_dicom_instances_dicom_series_series_id", x => x.series_id, "dicom_series", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_dicom_instances_files_file_id", x => x.file_id, "files", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("IX_dicom_instances_project_id_sop_instance_uid", "dicom_instances", ["project_id", "sop_instance_uid"], unique: true);
        m.CreateIndex("IX_dicom_instances_sop_instance_uid", "dicom_instances", "sop_instance_uid");
        m.CreateIndex("IX_dicom_instances_series_id", "dicom_instances", "series_id");
        m.CreateIndex("IX_dicom_instances_file_id", "dicom_instances", "file_id", unique: true);
    }
}
